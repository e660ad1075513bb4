import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeImageFile } from '@/lib/server/vision/decode-image-file';
import { loadFacePipeline } from '@/lib/server/vision/load-face-pipeline';
import { type FacePipeline, pickPrimaryFace } from '@/lib/vision/face-pipeline';
import { cosineSimilarity } from '@/lib/vision/face-recognizer';
import { VisionError } from '@/lib/vision/vision-error';
import { hasLfw, lfwImage, lfwMissingMessage } from '../../support/lfw';

if (!hasLfw) console.warn(lfwMissingMessage);

async function embedFile(pipeline: FacePipeline, file: string) {
  const { image } = await decodeImageFile(new Uint8Array(await readFile(file)));
  const face = pickPrimaryFace(await pipeline.detectFaces(image));
  if (!face) throw new Error(`no face in ${file}`);
  return pipeline.analyseFace(image, face);
}

describe('Node pipeline with the real models', () => {
  let pipeline: FacePipeline;
  beforeAll(async () => {
    pipeline = await loadFacePipeline();
  });

  it('finds no face in a flat grey frame and refuses a box outside the image', async () => {
    const grey = { width: 640, height: 480, channels: 3 as const, data: new Uint8Array(640 * 480 * 3).fill(128) };
    expect(await pipeline.detectFaces(grey)).toEqual([]);
    const error = await pipeline.analyseFace(grey, { box: { x: 900, y: 900, width: 50, height: 50 } }).catch((e: unknown) => e);
    expect((error as VisionError).code).toBe('INVALID_BOX');
  });

  it('rejects a corrupt JPEG and a non-image with typed errors before reaching a model', async () => {
    const jpeg = await sharp({ create: { width: 100, height: 100, channels: 3, background: '#888' } }).jpeg().toBuffer();
    const corrupt = new Uint8Array(jpeg);
    corrupt.fill(0, 200);
    const e1 = await decodeImageFile(corrupt.subarray(0, 400)).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(VisionError);
    expect(['DECODE_FAILED', 'EMPTY_IMAGE']).toContain((e1 as VisionError).code);
    const e2 = await decodeImageFile(new TextEncoder().encode('<html>not an image</html>')).catch((e: unknown) => e);
    expect((e2 as VisionError).code).toBe('UNSUPPORTED_FORMAT');
  });

  it('reduces a 37.5-megapixel image to the working size, records the scale and still runs detection', async () => {
    const png = await sharp({ create: { width: 7500, height: 5000, channels: 3, background: '#556677' } }).png({ compressionLevel: 1 }).toBuffer();
    const { image, info } = await decodeImageFile(new Uint8Array(png));
    expect(image.width * image.height).toBeLessThanOrEqual(16_777_216);
    expect(info.originalWidth).toBe(7500);
    expect(info.scale).toBeCloseTo(image.width / 7500, 9);
    expect(await pipeline.detectFaces(image, { minFaceSize: 200 })).toEqual([]);
  });

  it('refuses a 60-megapixel image unread (over the 40 MP limit)', async () => {
    const png = await sharp({ create: { width: 9000, height: 6700, channels: 3, background: '#556677' } }).png({ compressionLevel: 1 }).toBuffer();
    const error = await decodeImageFile(new Uint8Array(png)).catch((e: unknown) => e);
    expect((error as VisionError).code).toBe('IMAGE_TOO_LARGE');
  });

  describe.skipIf(!hasLfw)('on LFW', () => {
    it('embeds are L2-normalised, carry the model id, and the same person scores above different people', async () => {
      const a1 = await embedFile(pipeline, lfwImage('Colin_Powell', 1));
      const a2 = await embedFile(pipeline, lfwImage('Colin_Powell', 2));
      const b = await embedFile(pipeline, lfwImage('George_W_Bush', 1));
      const c = await embedFile(pipeline, lfwImage('Serena_Williams', 1));
      const norm = Math.hypot(...a1.embedding);
      expect(norm).toBeCloseTo(1, 5);
      expect(a1.modelId).toBe('faceplugin-fr-feature-512@0.0.1');
      const same = cosineSimilarity(a1.embedding, a2.embedding);
      expect(same).toBeGreaterThan(cosineSimilarity(a1.embedding, b.embedding));
      expect(same).toBeGreaterThan(cosineSimilarity(a1.embedding, c.embedding));
      expect(same).toBeGreaterThan(0.4);
      expect(a1.quality.verdict).not.toBe('poor');
      expect(a1.aligned.width).toBe(112);
    });

    it('finds a face about 24 px wide in a 1920×1080 frame', async () => {
      // This LFW copy is 150×150 with the face ~50 px wide in the centre, so a 72 px copy holds a ~24 px face.
      const small = await sharp(lfwImage('Colin_Powell', 1)).resize(72, 72).toBuffer();
      const frame = await sharp({ create: { width: 1920, height: 1080, channels: 3, background: '#5a6470' } })
        .composite([{ input: small, left: 1400, top: 700 }])
        .png()
        .toBuffer();
      const { image } = await decodeImageFile(new Uint8Array(frame));
      const faces = await pipeline.detectFaces(image);
      const hit = faces.find((f) => Math.abs(f.box.x + f.box.width / 2 - 1436) < 15 && Math.abs(f.box.y + f.box.height / 2 - 736) < 15);
      expect(hit, `faces: ${JSON.stringify(faces)}`).toBeDefined();
      expect(hit!.box.width).toBeLessThan(45);
    });

    it('a manual box, loosely drawn, finds landmarks inside it and gives the same identity', async () => {
      const bytes = new Uint8Array(await readFile(lfwImage('Colin_Powell', 1)));
      const { image } = await decodeImageFile(bytes);
      const manual = await pipeline.analyseFace(image, { box: { x: 30, y: 25, width: 85, height: 100 } });
      expect(manual.isManualBox).toBe(true);
      expect(manual.detectorScore).toBeNull();
      for (const p of manual.landmarks.points5) {
        expect(p.x).toBeGreaterThan(30);
        expect(p.x).toBeLessThan(115);
      }
      const detected = await embedFile(pipeline, lfwImage('Colin_Powell', 1));
      expect(cosineSimilarity(manual.embedding, detected.embedding)).toBeGreaterThan(0.9);
    });

    it('handles a greyscale and a very dark copy of a face and says the dark one is dark', async () => {
      const grey = await sharp(lfwImage('Colin_Powell', 1)).greyscale().jpeg().toBuffer();
      const dark = await sharp(lfwImage('Colin_Powell', 1)).linear(0.12, 0).jpeg().toBuffer();
      const reference = await embedFile(pipeline, lfwImage('Colin_Powell', 1));
      for (const [label, buf] of [['grey', grey], ['dark', dark]] as const) {
        const { image } = await decodeImageFile(new Uint8Array(buf));
        const face = pickPrimaryFace(await pipeline.detectFaces(image, { scoreThreshold: 0.25 }));
        expect(face, label).toBeDefined();
        const a = await pipeline.analyseFace(image, face!);
        expect(cosineSimilarity(a.embedding, reference.embedding), label).toBeGreaterThan(0.5);
        if (label === 'dark') expect(a.quality.reasons.map((r) => r.metric)).toContain('brightness');
      }
    });

    it('caps a crowd at maxFaces and keeps the largest first', async () => {
      const tile = await sharp(lfwImage('Colin_Powell', 1)).resize(100, 100).toBuffer();
      const composites = [];
      for (let r = 0; r < 6; r++) for (let c = 0; c < 8; c++) composites.push({ input: tile, left: c * 110, top: r * 110 });
      const crowd = await sharp({ create: { width: 900, height: 680, channels: 3, background: '#777' } }).composite(composites).png().toBuffer();
      const { image } = await decodeImageFile(new Uint8Array(crowd));
      const all = await pipeline.detectFaces(image);
      expect(all.length).toBeGreaterThanOrEqual(40);
      const capped = await pipeline.detectFaces(image, { maxFaces: 10 });
      expect(capped).toHaveLength(10);
      for (let i = 1; i < capped.length; i++) {
        expect(capped[i - 1]!.box.width * capped[i - 1]!.box.height).toBeGreaterThanOrEqual(capped[i]!.box.width * capped[i]!.box.height);
      }
    });
  });
});
