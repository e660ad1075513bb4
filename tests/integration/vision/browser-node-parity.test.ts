import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImageFile } from '@/lib/server/vision/decode-image-file';
import { loadFacePipeline } from '@/lib/server/vision/load-face-pipeline';
import type { FacePipeline } from '@/lib/vision/face-pipeline';
import { pickPrimaryFace } from '@/lib/vision/face-pipeline';
import { cosineSimilarity } from '@/lib/vision/face-recognizer';
import { type BrowserHarness, startBrowserHarness } from '@/scripts/eval/browser-vision-harness';
import { buildGif } from '../../unit/vision/build-gif';
import { chromiumPath } from '@/scripts/support/headless-chromium';
import { hasChromium, hasLfw, lfwImage, lfwMissingMessage } from '../../support/lfw';

const canRun = hasLfw && hasChromium;
if (!canRun) console.warn(hasLfw ? `Chromium not found at ${chromiumPath}: skipping the browser parity test` : lfwMissingMessage);

describe.skipIf(!canRun)('browser (onnxruntime-web WASM in the worker) and Node agree', () => {
  let harness: BrowserHarness;
  let pipeline: FacePipeline;
  beforeAll(async () => {
    harness = await startBrowserHarness();
    pipeline = await loadFacePipeline();
  });
  afterAll(async () => harness?.close());

  it('embeds the same LFW image to cosine ≥ 0.999 with the same model id', async () => {
    for (const file of [lfwImage('Aaron_Peirsol', 1), lfwImage('Colin_Powell', 5)]) {
      const bytes = new Uint8Array(await readFile(file));
      const browser = await harness.analyseImage({ backend: 'wasm' }, bytes);
      const { image } = await decodeImageFile(bytes);
      const nodeFace = pickPrimaryFace(await pipeline.detectFaces(image))!;
      const node = await pipeline.analyseFace(image, nodeFace);
      const browserFace = pickPrimaryFace(browser.faces.map((f) => ({ ...f, box: f.box as typeof nodeFace.box, score: f.score ?? 0 })))!;
      expect(browserFace.modelId).toBe(node.modelId);
      const cosine = cosineSimilarity(new Float32Array(browserFace.embedding), node.embedding);
      expect(cosine).toBeGreaterThanOrEqual(0.999);
    }
  });

  it('reports typed errors from the worker and keeps working afterwards', async () => {
    expect(await harness.tryError({ backend: 'wasm' }, new TextEncoder().encode('not an image, just text'))).toMatchObject({ code: 'UNSUPPORTED_FORMAT' });
    expect(await harness.tryError({ backend: 'wasm' }, buildGif(3))).toMatchObject({ code: 'ANIMATED_IMAGE' });
    const jpeg = new Uint8Array(await readFile(lfwImage('Aaron_Peirsol', 1)));
    expect(await harness.tryError({ backend: 'wasm' }, jpeg.subarray(0, 300))).toMatchObject({ code: 'DECODE_FAILED' });
    const after = await harness.analyseImage({ backend: 'wasm' }, jpeg);
    expect(after.faces.length).toBeGreaterThan(0);
  });

  it('serves the component flow: detect(file), analyse(face) with an encoded crop, release', async () => {
    const jpeg = new Uint8Array(await readFile(lfwImage('Colin_Powell', 1)));
    const r = await harness.detectThenAnalyse({ backend: 'wasm' }, jpeg);
    expect(r).toMatchObject({ faces: 1, cropType: 'image/png', cropWidth: 112, manualCropType: 'image/jpeg', isManualBox: true, embeddingLength: 512, afterRelease: 'WORKER_FAILED' });
    expect(r.cropSize).toBeGreaterThan(1000);
  });

  it('decodes a 37.5-megapixel image straight to the working size in the worker, and refuses 60 megapixels', async () => {
    const png = await sharp({ create: { width: 7500, height: 5000, channels: 3, background: '#445566' } }).png().toBuffer();
    const result = await harness.analyseImage({ backend: 'wasm' }, new Uint8Array(png));
    expect(result.width * result.height).toBeLessThanOrEqual(16_777_216);
    expect(result.width / result.height).toBeCloseTo(7500 / 5000, 2);
    expect(result.faces).toEqual([]);
    // The worker applies the same 40 MP limit as the server, from the header, before decoding.
    const tooLarge = await sharp({ create: { width: 9000, height: 6700, channels: 3, background: '#445566' } }).png().toBuffer();
    expect(await harness.tryError({ backend: 'wasm' }, new Uint8Array(tooLarge))).toMatchObject({ code: 'IMAGE_TOO_LARGE' });
  });
});
