import sharp from 'sharp';

// The CCTV-like degradations of the degraded 1:N protocol (`npm run eval -- build-degraded`). Each is a
// deterministic function of the source image and a seed, so a protocol rebuilt from the same LFW copy with
// the same seed is byte-identical. The parameters model what stills from surveillance footage look like:
// few pixels on the face, soft optics or motion, heavy compression, monochrome (night / IR) cameras,
// under-exposure with sensor noise, and a face that is a small part of a wide frame.

export const DEGRADATIONS = [
  'clean',
  'low-resolution',
  'blur',
  'heavy-jpeg',
  'greyscale',
  'dark',
  'small-in-frame',
  'greyscale+small+jpeg',
  'blur+heavy-jpeg',
  'low-resolution+dark',
] as const;

export type Degradation = (typeof DEGRADATIONS)[number];

export type DegradationSpec = { description: string; extension: 'jpg' | 'png' };

export const DEGRADATION_SPECS: Record<Degradation, DegradationSpec> = {
  clean: { description: 'the LFW image as it is (150×150, face ~50 px, eyes 21–28 px apart)', extension: 'jpg' },
  'low-resolution': { description: 'reduced to 60×60 (eyes ~10 px apart) and enlarged back to 150×150 (bicubic)', extension: 'png' },
  blur: { description: 'Gaussian blur σ = 2 px', extension: 'png' },
  'heavy-jpeg': { description: 'JPEG quality 10 (4:2:0 chroma)', extension: 'jpg' },
  greyscale: { description: 'greyscale (luma), JPEG quality 90', extension: 'jpg' },
  dark: { description: 'brightness × 0.2, Gaussian sensor noise σ = 3 grey levels', extension: 'png' },
  'small-in-frame': { description: 'the image reduced to 75×75 (face ~25 px, eyes ~12 px) pasted into a 1280×720 frame', extension: 'png' },
  'greyscale+small+jpeg': { description: 'greyscale, reduced to 75×75 in a 1280×720 frame, the frame saved as JPEG quality 25', extension: 'jpg' },
  'blur+heavy-jpeg': { description: 'Gaussian blur σ = 1.5 px then JPEG quality 12', extension: 'jpg' },
  'low-resolution+dark': { description: 'reduced to 60×60 and enlarged back, then brightness × 0.25 with noise σ = 3', extension: 'png' },
};

/** Mulberry32: a small seeded generator, enough for placing faces and drawing noise reproducibly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(random: () => number): number {
  const u = Math.max(1e-12, random());
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

async function raw(input: sharp.Sharp): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await input.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`expected 3 channels, got ${info.channels}`);
  return { data, width: info.width, height: info.height };
}

function fromRaw(image: { data: Buffer; width: number; height: number }): sharp.Sharp {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
}

function darken(image: { data: Buffer; width: number; height: number }, gain: number, noise: number, random: () => number) {
  const out = Buffer.alloc(image.data.length);
  for (let i = 0; i < image.data.length; i += 3) {
    // One noise draw per channel: colour sensor noise, as on a real camera.
    for (let c = 0; c < 3; c++) out[i + c] = Math.max(0, Math.min(255, Math.round(image.data[i + c]! * gain + noise * gaussian(random))));
  }
  return { ...image, data: out };
}

async function reduceAndEnlarge(bytes: Uint8Array, side: number) {
  const meta = await sharp(bytes).metadata();
  const small = await sharp(bytes).resize(side, side, { kernel: 'cubic' }).toBuffer();
  return raw(sharp(small).resize(meta.width, meta.height, { kernel: 'cubic' }));
}

/** A plausible scene, not a flat grey card: a smooth gradient with mild texture, seeded. */
async function pasteIntoFrame(face: sharp.Sharp, faceSide: number, random: () => number): Promise<{ data: Buffer; width: number; height: number }> {
  const width = 1280;
  const height = 720;
  const frame = Buffer.alloc(width * height * 3);
  const base = [60 + random() * 100, 60 + random() * 100, 60 + random() * 100];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const shade = 0.7 + (0.5 * (x + y)) / (width + height);
      const i = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) frame[i + c] = Math.max(0, Math.min(255, Math.round(base[c]! * shade + 6 * gaussian(random))));
    }
  }
  const faceBytes = await face.resize(faceSide, faceSide, { kernel: 'cubic' }).png().toBuffer();
  const left = Math.floor(random() * (width - faceSide));
  const top = Math.floor(random() * (height - faceSide));
  return raw(fromRaw({ data: frame, width, height }).composite([{ input: faceBytes, left, top }]));
}

/** The degraded image as encoded bytes (the protocol stores exactly these). */
export async function degradeImage(bytes: Uint8Array, degradation: Degradation, seed: number): Promise<Buffer> {
  const random = seededRandom(seed);
  switch (degradation) {
    case 'clean':
      return Buffer.from(bytes);
    case 'low-resolution':
      return fromRaw(await reduceAndEnlarge(bytes, 60)).png().toBuffer();
    case 'blur':
      return sharp(bytes).blur(2).png().toBuffer();
    case 'heavy-jpeg':
      return sharp(bytes).jpeg({ quality: 10, chromaSubsampling: '4:2:0' }).toBuffer();
    case 'greyscale':
      return sharp(bytes).greyscale().jpeg({ quality: 90 }).toBuffer();
    case 'dark':
      return fromRaw(darken(await raw(sharp(bytes)), 0.2, 3, random)).png().toBuffer();
    case 'small-in-frame':
      return fromRaw(await pasteIntoFrame(sharp(bytes), 75, random)).png().toBuffer();
    case 'greyscale+small+jpeg': {
      const framed = await pasteIntoFrame(sharp(bytes), 75, random);
      return fromRaw(framed).greyscale().jpeg({ quality: 25 }).toBuffer();
    }
    case 'blur+heavy-jpeg':
      return sharp(await sharp(bytes).blur(1.5).png().toBuffer()).jpeg({ quality: 12, chromaSubsampling: '4:2:0' }).toBuffer();
    case 'low-resolution+dark':
      return fromRaw(darken(await reduceAndEnlarge(bytes, 60), 0.25, 3, random)).png().toBuffer();
  }
}
