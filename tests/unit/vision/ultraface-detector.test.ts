import { describe, expect, it } from 'vitest';
import type { ModelSession, TensorData } from '@/lib/vision/model-session';
import { createUltraFaceDetector, planPyramid, planTiles } from '@/lib/vision/ultraface-detector';

const config = {
  modelId: 'fake@1',
  inputWidth: 320,
  inputHeight: 240,
  normalisation: { mean: [127, 127, 127], std: [128, 128, 128], channelOrder: 'rgb' },
  scoresOutput: 'scores',
  boxesOutput: 'boxes',
} as const;

/** A fake detector that "sees" a face wherever the input has bright pixels: the bright area's bounding box. */
function brightBlobSession(): ModelSession {
  return {
    inputNames: ['input'],
    outputNames: ['scores', 'boxes'],
    async run(feeds: Record<string, TensorData>) {
      const data = feeds.input!.data;
      const n = 320 * 240;
      let x1 = Infinity, y1 = Infinity, x2 = -Infinity, y2 = -Infinity;
      for (let i = 0; i < n; i++) {
        if (data[i]! > 0.9) {
          const x = i % 320, y = Math.floor(i / 320);
          x1 = Math.min(x1, x); y1 = Math.min(y1, y); x2 = Math.max(x2, x + 1); y2 = Math.max(y2, y + 1);
        }
      }
      const scores = new Float32Array(4420 * 2);
      const boxes = new Float32Array(4420 * 4);
      if (Number.isFinite(x1)) {
        scores[1] = 0.95;
        boxes.set([x1 / 320, y1 / 240, x2 / 320, y2 / 240], 0);
      }
      return { scores: { data: scores, dims: [1, 4420, 2] }, boxes: { data: boxes, dims: [1, 4420, 4] } };
    },
  };
}

function frameWithSquare(width: number, height: number, sq: { x: number; y: number; size: number }) {
  const data = new Uint8Array(width * height * 3);
  for (let y = sq.y; y < sq.y + sq.size; y++) data.fill(255, (y * width + sq.x) * 3, (y * width + sq.x + sq.size) * 3);
  return { width, height, channels: 3 as const, data };
}

describe('UltraFace tiling plan', () => {
  it('tiles cover the whole length with the requested overlap', () => {
    const starts = planTiles(1000, 320, 64);
    expect(starts[0]).toBe(0);
    expect(starts.at(-1)! + 320).toBe(1000);
    for (let i = 1; i < starts.length; i++) expect(starts[i - 1]! + 320 - starts[i]!).toBeGreaterThanOrEqual(64);
    expect(planTiles(200, 320, 64)).toEqual([0]);
  });

  it('searches a 1080p frame fine enough for 24 px faces, and only the whole frame for big faces', () => {
    const fine = planPyramid(1920, 1080, 320, 240, 24, 20);
    expect(fine[0]!.isWhole).toBe(true);
    expect(fine.some((l) => l.scale >= 20 / 24 - 1e-9)).toBe(true);
    expect(planPyramid(1920, 1080, 320, 240, 600, 20)).toHaveLength(1);
  });
});

describe('UltraFace detector', () => {
  it('finds a small square in a large frame through the tiles and maps it to source pixels', async () => {
    const detector = createUltraFaceDetector(brightBlobSession(), config);
    const faces = await detector.detect(frameWithSquare(1920, 1080, { x: 1500, y: 700, size: 24 }), { minFaceSize: 24 });
    expect(faces).toHaveLength(1);
    const box = faces[0]!.box;
    expect(Math.abs(box.x - 1500)).toBeLessThan(3);
    expect(Math.abs(box.y - 700)).toBeLessThan(3);
    expect(Math.abs(box.width - 24)).toBeLessThan(4);
  });

  it('returns nothing for an empty frame', async () => {
    const detector = createUltraFaceDetector(brightBlobSession(), config);
    expect(await detector.detect(frameWithSquare(640, 480, { x: 0, y: 0, size: 0 }))).toEqual([]);
  });
});
