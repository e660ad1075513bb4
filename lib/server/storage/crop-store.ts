import 'server-only';
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import type { PixelImage } from '@/lib/vision/pixel-image';
import { sniffImage } from '@/lib/vision/sniff-image';
import { AppError } from '@/lib/shared/errors';
import { MAX_CROP_BYTES } from '@/lib/shared/schemas/probe';
import { OWNER_ONLY_DIRECTORY, OWNER_ONLY_FILE } from './owner-only';

/** `evidence`: an enrolled crop copied into case evidence when the face itself is erased (see lib/server/retention). */
export type CropKind = 'probe' | 'enrolled' | 'evidence';
export type StoredCrop = { key: string; sha256: string; bytes: number };
/** A crop encoded and named but not yet on disk: the slow part of saving, done before any check may still refuse. */
export type PendingCrop = StoredCrop & { png: Buffer };

const KEY_PATTERN = /^(probe|enrolled|evidence)\/[0-9a-f]{64}\.png$/;
const MAX_CROP_SIDE = 512;

/**
 * Face crops on disk, content-addressed by the SHA-256 of their PNG bytes. Keys never come from user
 * input unchecked, so a key cannot walk out of the folder; crops are served only through authorised
 * routes, never as public files.
 */
export class CropStore {
  constructor(private readonly root: string) {}

  async savePixels(kind: CropKind, image: PixelImage): Promise<StoredCrop> {
    return this.writePending(await encodeCropPixels(kind, image));
  }

  /** Writes a crop encoded earlier. Content-addressed, so writing the same crop twice leaves one file. */
  async writePending(pending: PendingCrop): Promise<StoredCrop> {
    return this.write(pending.key.startsWith('probe/') ? 'probe' : 'enrolled', pending.png);
  }

  /** Accepts an encoded crop from a client: it is decoded, checked and re-encoded, never stored as sent. */
  async saveUploaded(kind: CropKind, encoded: Uint8Array): Promise<StoredCrop> {
    if (encoded.byteLength === 0 || encoded.byteLength > MAX_CROP_BYTES) {
      throw new AppError('VALIDATION', `A face crop must be between 1 byte and ${MAX_CROP_BYTES / 1024} KiB.`);
    }
    const sniffed = sniffImage(encoded);
    if (!sniffed || (sniffed.format !== 'png' && sniffed.format !== 'jpeg') || sniffed.isAnimated) {
      throw new AppError('VALIDATION', 'A face crop must be a PNG or JPEG still image.');
    }
    let png: Buffer;
    try {
      const decoder = sharp(encoded, { limitInputPixels: MAX_CROP_SIDE * MAX_CROP_SIDE, animated: false });
      const meta = await decoder.metadata();
      if (!meta.width || !meta.height || meta.width > MAX_CROP_SIDE || meta.height > MAX_CROP_SIDE) {
        throw new Error('bad size');
      }
      png = await decoder.removeAlpha().png().toBuffer();
    } catch {
      throw new AppError('VALIDATION', 'The face crop is not a readable image of at most 512×512 pixels.');
    }
    return this.write(kind, png);
  }

  async read(key: string): Promise<Buffer> {
    if (!KEY_PATTERN.test(key)) throw new AppError('NOT_FOUND', 'No such crop.');
    try {
      return await readFile(this.pathOf(key));
    } catch {
      throw new AppError('NOT_FOUND', 'The crop file is missing from the store.');
    }
  }

  /** Copies a stored crop under another kind: the same bytes, so the same name with the new prefix. */
  async copy(key: string, kind: CropKind): Promise<StoredCrop> {
    return this.write(kind, await this.read(key));
  }

  async remove(key: string): Promise<void> {
    if (KEY_PATTERN.test(key)) await rm(this.pathOf(key), { force: true });
  }

  /**
   * Removes half-written files that a process killed between write and rename left behind. Only
   * old ones: a younger one may belong to a write still in progress.
   */
  async removeStaleTemporaries(olderThanMs = 60 * 60 * 1000): Promise<number> {
    let removed = 0;
    for (const kind of ['probe', 'enrolled', 'evidence'] satisfies CropKind[]) {
      for (const shard of await listOrEmpty(join(this.root, kind))) {
        const folder = join(this.root, kind, shard);
        for (const name of await listOrEmpty(folder)) {
          if (!name.endsWith('.tmp')) continue;
          const path = join(folder, name);
          const info = await stat(path).catch(() => null);
          if (info && Date.now() - info.mtimeMs > olderThanMs) {
            await rm(path, { force: true });
            removed += 1;
          }
        }
      }
    }
    return removed;
  }

  private async write(kind: CropKind, png: Buffer): Promise<StoredCrop> {
    const sha256 = createHash('sha256').update(png).digest('hex');
    const key = `${kind}/${sha256}.png`;
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true, mode: OWNER_ONLY_DIRECTORY });
    // Write then rename, so a crash never leaves a half-written crop under its final name.
    const temporary = `${path}.${randomUUID()}.tmp`;
    await writeFile(temporary, png, { mode: OWNER_ONLY_FILE });
    await rename(temporary, path);
    return { key, sha256, bytes: png.byteLength };
  }

  private pathOf(key: string): string {
    const [kind, file] = key.split('/') as [string, string];
    return join(this.root, kind, file.slice(0, 2), file);
  }
}

/** Encodes pixels as the PNG the store keeps and names it by its hash, without touching the disk. */
export async function encodeCropPixels(kind: CropKind, image: PixelImage): Promise<PendingCrop> {
  const png = await sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), {
    raw: { width: image.width, height: image.height, channels: image.channels as 1 | 3 | 4 },
  })
    .png()
    .toBuffer();
  const sha256 = createHash('sha256').update(png).digest('hex');
  return { key: `${kind}/${sha256}.png`, sha256, bytes: png.byteLength, png };
}

async function listOrEmpty(folder: string): Promise<string[]> {
  return readdir(folder).catch(() => []);
}

export function cropStoreFor(dataDir: string): CropStore {
  return new CropStore(join(dataDir, 'crops'));
}
