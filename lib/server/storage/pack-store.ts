import 'server-only';
import { createHash, randomUUID } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '@/lib/shared/errors';

/** A pack rendered and named by its hash but not yet on disk: the slow part, done before the last check. */
export type PendingPack = { key: string; sha256: string; bytes: number; pdf: Buffer };

const KEY_PATTERN = /^packs\/[0-9a-f]{64}\.pdf$/;

export function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Names a rendered pack by the SHA-256 of its bytes, without touching the disk. */
export function pendingPack(pdf: Buffer): PendingPack {
  const sha256 = sha256Of(pdf);
  return { key: `packs/${sha256}.pdf`, sha256, bytes: pdf.byteLength, pdf };
}

/**
 * Disclosure packs on disk under DATA_DIR/packs, content-addressed by their SHA-256 and written once:
 * a pack is evidence, so it is never rewritten (read-only once renamed into place, and an existing
 * file of that name is by construction the same bytes). Keys are checked against a fixed pattern, so
 * none can walk out of the folder; packs are served only through the authorised download route.
 */
export class PackStore {
  constructor(private readonly dataDir: string) {}

  async write(pending: PendingPack): Promise<void> {
    const path = this.pathOf(pending.key);
    if (sha256Of(pending.pdf) !== pending.sha256) throw new Error('A pack does not match the hash it is named by.');
    if (await stat(path).catch(() => null)) return;
    await mkdir(join(this.dataDir, 'packs'), { recursive: true });
    // Write then rename, so a crash never leaves a half-written pack under its final name.
    const temporary = `${path}.${randomUUID()}.tmp`;
    await writeFile(temporary, pending.pdf, { flag: 'wx', mode: 0o444 });
    await chmod(temporary, 0o444);
    await rename(temporary, path);
  }

  async read(key: string): Promise<Buffer> {
    if (!KEY_PATTERN.test(key)) throw new AppError('NOT_FOUND', 'No such pack.');
    try {
      return await readFile(this.pathOf(key));
    } catch {
      throw new AppError('NOT_FOUND', 'The pack file is missing from the store.');
    }
  }

  /** Only to undo a write whose transaction failed: a recorded pack is never removed by the application. */
  async remove(key: string): Promise<void> {
    if (KEY_PATTERN.test(key)) await rm(this.pathOf(key), { force: true });
  }

  pathOf(key: string): string {
    if (!KEY_PATTERN.test(key)) throw new AppError('NOT_FOUND', 'No such pack.');
    return join(this.dataDir, key);
  }
}

export function packStoreFor(dataDir: string): PackStore {
  return new PackStore(dataDir);
}
