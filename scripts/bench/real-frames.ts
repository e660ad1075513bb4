import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import sharp from 'sharp';

// Synthetic CCTV-sized stills for the speed benchmarks (`bench pipeline`, `bench page`): LFW portraits
// pasted at the sizes real frames show (a near subject, one further back, and a small face in the
// distance) on a textured background, so the detector's pyramid and tiles do the work they do on a real
// frame. Built in memory from ../shared/data/lfw; nothing is written to disk or committed.

export const lfwImagesDir = resolve(process.cwd(), '../shared/data/lfw/images');
export const hasLfwImages = existsSync(lfwImagesDir);
export const lfwAbsentMessage = `LFW not found at ${lfwImagesDir}: the CCTV-sized frames need real faces, so they are skipped`;

/** LFW's 250×250 portraits frame the face (as the detector boxes it) at about this share of the width. */
const faceShareOfLfw = 0.37;

export type FramePlacement = { person: string; index: number; facePx: number; x: number; y: number };
export type FrameSpec = { name: string; width: number; height: number; faces: FramePlacement[] };
export type BuiltFrame = FrameSpec & { bytes: Uint8Array; mimeType: 'image/jpeg' };

/** The frames the benchmarks time. Face sizes are the detector-box widths aimed at, in frame pixels. */
export const realFrameSpecs: FrameSpec[] = [
  {
    name: '1280x720',
    width: 1280,
    height: 720,
    faces: [
      { person: 'Colin_Powell', index: 5, facePx: 110, x: 300, y: 220 },
      { person: 'Tony_Blair', index: 3, facePx: 60, x: 820, y: 180 },
      { person: 'Laura_Bush', index: 2, facePx: 28, x: 1050, y: 470 },
    ],
  },
  {
    name: '1920x1080',
    width: 1920,
    height: 1080,
    faces: [
      { person: 'Colin_Powell', index: 5, facePx: 110, x: 520, y: 360 },
      { person: 'Tony_Blair', index: 3, facePx: 60, x: 1240, y: 260 },
      { person: 'Laura_Bush', index: 2, facePx: 26, x: 1610, y: 760 },
    ],
  },
];

function lfwFile(person: string, index: number): string {
  return resolve(lfwImagesDir, person, `${person}_${String(index).padStart(4, '0')}.jpg`);
}

/** Deterministic 32-bit generator, so every run (and every machine) times the same pixels. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A street-like texture: blotches from low-resolution noise enlarged, hard-edged blocks (shop fronts,
 * windows), and fine sensor noise. A flat grey background would let the detector finish suspiciously fast.
 */
async function texturedBackground(width: number, height: number, seed: number): Promise<Buffer> {
  const random = mulberry32(seed);
  const cw = Math.ceil(width / 24);
  const ch = Math.ceil(height / 24);
  const coarse = Buffer.alloc(cw * ch * 3);
  for (let i = 0; i < coarse.length; i++) coarse[i] = 40 + Math.floor(random() * 160);
  const blotches = await sharp(coarse, { raw: { width: cw, height: ch, channels: 3 } }).resize(width, height, { kernel: 'cubic' }).raw().toBuffer();
  const out = Buffer.from(blotches);
  for (let b = 0; b < 40; b++) {
    const bw = 30 + Math.floor(random() * width * 0.15);
    const bh = 30 + Math.floor(random() * height * 0.2);
    const bx = Math.floor(random() * (width - bw));
    const by = Math.floor(random() * (height - bh));
    const colour = [Math.floor(random() * 255), Math.floor(random() * 255), Math.floor(random() * 255)];
    for (let y = by; y < by + bh; y++) {
      for (let x = bx; x < bx + bw; x++) {
        const o = (y * width + x) * 3;
        for (let c = 0; c < 3; c++) out[o + c] = (out[o + c]! + colour[c]!) >> 1;
      }
    }
  }
  for (let i = 0; i < out.length; i++) out[i] = Math.max(0, Math.min(255, out[i]! + Math.floor((random() - 0.5) * 24)));
  return out;
}

export async function buildRealFrame(spec: FrameSpec, seed = 11): Promise<BuiltFrame> {
  const background = await texturedBackground(spec.width, spec.height, seed);
  const overlays = await Promise.all(
    spec.faces.map(async (f) => {
      const side = Math.round(f.facePx / faceShareOfLfw);
      const input = await sharp(lfwFile(f.person, f.index)).resize(side, side).toBuffer();
      return { input, left: Math.round(f.x - side / 2), top: Math.round(f.y - side / 2) };
    }),
  );
  const jpeg = await sharp(background, { raw: { width: spec.width, height: spec.height, channels: 3 } })
    .composite(overlays)
    .jpeg({ quality: 88 })
    .toBuffer();
  return { ...spec, bytes: new Uint8Array(jpeg), mimeType: 'image/jpeg' };
}

/**
 * Which of the pasted faces a list of boxes found: a box counts when its centre lies within half the
 * face size of the pasted centre (the detector's box sits a little below the LFW image centre).
 */
export function matchPastedFaces(spec: FrameSpec, boxes: readonly { x: number; y: number; width: number; height: number }[], scale = 1): { facePx: number; found: boolean; boxPx: number | null }[] {
  return spec.faces.map((f) => {
    const hit = boxes.find((b) => {
      const cx = (b.x + b.width / 2) / scale;
      const cy = (b.y + b.height / 2) / scale;
      return Math.abs(cx - f.x) < f.facePx * 0.6 && Math.abs(cy - f.y) < f.facePx * 0.8;
    });
    return { facePx: f.facePx, found: Boolean(hit), boxPx: hit ? Math.round(hit.width / scale) : null };
  });
}
