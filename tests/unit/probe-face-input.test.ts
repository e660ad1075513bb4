import { describe, expect, it } from 'vitest';
import { probeFaceSchema, toProbeFaceInput, type MeasuredFace } from '@/lib/shared/schemas/probe';

const unit = Array.from({ length: 512 }, (_, index) => (index === 7 ? 1 : 0));
const face: MeasuredFace = {
  box: { x: 10, y: 12, width: 40, height: 48 },
  landmarks: { points5: [1, 2, 3, 4, 5].map((value) => ({ x: value, y: value + 1 })) },
  quality: { verdict: 'usable', metrics: { interEyePx: 22, sharpness: Number.NaN, detectorScore: null }, reasons: [] },
  detectorScore: 0.97,
  isManualBox: false,
  modelId: 'model@1',
  embedding: Float32Array.from(unit),
};

describe('toProbeFaceInput', () => {
  it('turns a measured face into input the server accepts, unknown measurements as null', () => {
    const input = toProbeFaceInput(face, 'iVBORw0KGgo=');
    expect(input.landmarks).toEqual([[1, 2], [2, 3], [3, 4], [4, 5], [5, 6]]);
    expect(input.quality.metrics).toEqual({ interEyePx: 22, sharpness: null, detectorScore: null });
    const parsed = probeFaceSchema.safeParse(input);
    expect(parsed.success).toBe(true);
  });

  it('is refused when the embedding is not unit length', () => {
    const input = toProbeFaceInput({ ...face, embedding: unit.map((value) => value * 3) }, 'x');
    expect(probeFaceSchema.safeParse(input).success).toBe(false);
  });
});
