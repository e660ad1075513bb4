import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/lib/server/db/database';
import { decodeAlignedCrop } from '@/lib/server/probes/verify-probe-face';
import { CropStore } from '@/lib/server/storage/crop-store';
import { AppError } from '@/lib/shared/errors';
import type { FacePipeline } from '@/lib/vision/face-pipeline';
import { enrolmentActionFor } from '../../support/enrolment-action';
import { openMemoryDatabase } from '../../support/test-database';

// Every image that reaches the server is sniffed by its magic bytes and refused above the pixel limit
// (MAX_IMAGE_PIXELS, 40 MP by default) before a decoder allocates for it. The bomb: a 219 KB
// greyscale interlaced PNG declaring 15000×15000, which raised the server's RSS by 690 MB.
const root = mkdtempSync(join(tmpdir(), 'rfr-image-limits-'));
const bombPath = join(root, 'bomb.png');
let database: Database;
let crops: CropStore;
let watchlist: { id: string; retentionDays: number };
let enrolImage: ReturnType<typeof enrolmentActionFor>;

// Refusals must come before any model runs: a pipeline that is never to be reached.
const unreachablePipeline = new Proxy({ recognizerId: 'test-recognizer' } as FacePipeline, {
  get(target, property) {
    if (property in target) return target[property as keyof FacePipeline];
    // Awaiting the pipeline asks whether it is a promise; that is not running a model.
    if (property === 'then') return undefined;
    throw new Error(`the face pipeline was reached (${String(property)}) for an image that should have been refused`);
  },
});

// Through the enrolment action the admin page and the CLI run: a refusal is an audited result, not a throw.
async function enrol(bytes: Uint8Array, fileName: string) {
  const result = await enrolImage({ watchlistId: watchlist.id, subjectReference: 'S-1', bytes, fileName });
  if (!result.ok) throw new AppError(result.error.code, result.error.message);
  return result.data;
}

async function storedCounts() {
  const files = readdirSync(join(root, 'crops'), { recursive: true }).length;
  return { faces: await database.prisma.enrolledFace.count(), setAside: await database.prisma.enrolmentException.count(), files };
}

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(() => null, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe('VALIDATION');
  return error as AppError;
}

beforeAll(async () => {
  // Made in a child process: encoding the bomb needs the whole image in memory, which would spoil
  // this process's RSS figures below.
  execFileSync(process.execPath, [
    '-e',
    `require('sharp')({ create: { width: 15000, height: 15000, channels: 3, background: '#000' } })
       .toColourspace('b-w').png({ progressive: true, compressionLevel: 9 }).toFile(${JSON.stringify(bombPath)})`,
  ]);
  database = await openMemoryDatabase();
  crops = new CropStore(join(root, 'crops'));
  await crops.savePixels('enrolled', { width: 2, height: 2, channels: 3, data: new Uint8Array(12) }); // the folder exists
  const owner = await database.prisma.user.create({
    data: { email: 'admin@limits.test', displayName: 'Admin', role: 'admin', passwordHash: 'x' },
    select: { id: true, email: true, displayName: true, role: true, teamId: true },
  });
  enrolImage = enrolmentActionFor({ prisma: database.prisma, actor: owner, pipeline: unreachablePipeline, crops });
  watchlist = await database.prisma.watchlist.create({
    data: { name: 'Limits', purpose: 'Test of image limits', authority: 'Test', ownerId: owner.id, retentionDays: 30, reviewDate: new Date('2027-01-01') },
    select: { id: true, retentionDays: true },
  });
}, 120_000);

afterAll(async () => {
  await database?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('images under limits on the enrolment path', () => {
  it('refuses the 15000×15000 interlaced PNG at once, with a clear error and no jump in memory', async () => {
    const bomb = new Uint8Array(readFileSync(bombPath));
    expect(bomb.byteLength).toBeLessThan(250_000);
    const before = await storedCounts();
    // Warm up the code path (module loading, the database's first queries) outside the measurement.
    await refusal(enrol(new TextEncoder().encode('not an image, warming up'), 'warm-up.txt'));

    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }, 2);
    const started = performance.now();
    const error = await refusal(enrol(bomb, 'bomb.png'));
    const elapsedMs = performance.now() - started;
    clearInterval(sampler);
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    const jumpMb = (rssPeak - rssBefore) / 2 ** 20;
    console.log(`[image-limits] bomb refused in ${elapsedMs.toFixed(1)} ms; RSS ${(rssBefore / 2 ** 20).toFixed(0)} MB → peak ${(rssPeak / 2 ** 20).toFixed(0)} MB (+${jumpMb.toFixed(1)} MB)`);

    expect(error.message).toBe('The image is 15000×15000 (225 megapixels); images above 40 megapixels are refused.');
    expect(elapsedMs).toBeLessThan(1_000);
    expect(jumpMb).toBeLessThan(50);
    expect(await storedCounts()).toEqual(before);
  });

  it('refuses what is not an image by its bytes, whatever its name: SVG with script, a polyglot, text', async () => {
    const before = await storedCounts();
    const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><rect width="9" height="9"/></svg>');
    expect((await refusal(enrol(svg, 'face.png'))).message).toMatch(/not a supported image/);
    // PNG magic bytes in front of an HTML page: sniffed as PNG, then refused by the decoder.
    const polyglot = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('<html><script>alert(1)</script></html>')]);
    expect((await refusal(enrol(new Uint8Array(polyglot), 'face.png'))).message).toMatch(/could not be read/);
    expect(await storedCounts()).toEqual(before);
  });

  it('takes the limit from MAX_IMAGE_PIXELS', async () => {
    const { readConfig } = await import('@/lib/server/config');
    expect(readConfig({}).maxImagePixels).toBe(40_000_000);
    expect(readConfig({ MAX_IMAGE_PIXELS: '12000000' }).maxImagePixels).toBe(12_000_000);
    expect(() => readConfig({ MAX_IMAGE_PIXELS: '999999999' })).toThrow(/MAX_IMAGE_PIXELS/);
  });
});

describe('the probe crop', () => {
  const png = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: '#888' } }).png().toBuffer();

  it('must be the 112×112 aligned crop, as PNG or JPEG', async () => {
    expect((await decodeAlignedCrop(new Uint8Array(await png(112, 112)))).width).toBe(112);
    expect((await refusal(decodeAlignedCrop(new Uint8Array(await png(113, 112))))).message).toMatch(/must be the 112×112 aligned crop.*113×112/);
    const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" width="112" height="112"><script>alert(1)</script></svg>');
    expect((await refusal(decodeAlignedCrop(svg))).message).toBe('The face crop must be a PNG or JPEG still image.');
    const webp = await sharp({ create: { width: 112, height: 112, channels: 3, background: '#888' } }).webp().toBuffer();
    expect((await refusal(decodeAlignedCrop(new Uint8Array(webp)))).message).toBe('The face crop must be a PNG or JPEG still image.');
  });

  it('is refused unread when it declares the bomb’s size', async () => {
    const bomb = new Uint8Array(readFileSync(bombPath));
    expect((await refusal(decodeAlignedCrop(bomb))).message).toMatch(/at most 512×512/);
  });
});
