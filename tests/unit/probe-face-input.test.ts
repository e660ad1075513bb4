import { describe, expect, it } from 'vitest';
import { readProbeFaceForm } from '@/lib/server/probes/read-probe-face-form';
import { buildProbeFaceFormData, MAX_CROP_BYTES, probeFaceSchema, recordProbeFaceSchema, toProbeFaceInput, type MeasuredFace } from '@/lib/shared/schemas/probe';

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
    const input = toProbeFaceInput(face);
    expect(input.landmarks).toEqual([[1, 2], [2, 3], [3, 4], [4, 5], [5, 6]]);
    expect(input.quality.metrics).toEqual({ interEyePx: 22, sharpness: null, detectorScore: null });
    const parsed = probeFaceSchema.safeParse(input);
    expect(parsed.success).toBe(true);
  });

  it('is refused when the embedding is not unit length', () => {
    const input = toProbeFaceInput({ ...face, embedding: unit.map((value) => value * 3) });
    expect(probeFaceSchema.safeParse(input).success).toBe(false);
  });
});

describe('the probe face form', () => {
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
  const payload = {
    caseId: '6f1c2b1e-3c1d-4c55-9d55-0a4f7f1b2c3d',
    idempotencyKey: '0b7e5f8a-2d4c-4e6f-8a1b-3c5d7e9f0a1b',
    still: { imageSha256: 'a'.repeat(64), width: 640, height: 480, source: 'CCTV export' },
    face: toProbeFaceInput(face),
  };

  it('round-trips through FormData into input the schema accepts', async () => {
    const form = buildProbeFaceFormData(payload, new Blob([png], { type: 'image/png' }));
    const read = await readProbeFaceForm(form);
    const parsed = recordProbeFaceSchema.safeParse(read);
    expect(parsed.success).toBe(true);
    if (parsed.success) expect(Array.from(parsed.data.crop)).toEqual(Array.from(png));
  });

  it('turns an unreadable form into a refusal with field errors, never a throw', async () => {
    const bad = new FormData();
    bad.set('payload', '{ not json');
    const noFile = recordProbeFaceSchema.safeParse(await readProbeFaceForm(bad));
    expect(noFile.success).toBe(false);
    if (!noFile.success) expect(noFile.error.issues.map((issue) => issue.path[0]).sort()).toEqual(['crop', 'payload']);

    const huge = buildProbeFaceFormData(payload, new Blob([new Uint8Array(MAX_CROP_BYTES + 1)], { type: 'image/png' }));
    const tooLarge = recordProbeFaceSchema.safeParse(await readProbeFaceForm(huge));
    expect(tooLarge.success).toBe(false);

    const text = buildProbeFaceFormData(payload, new Blob(['hello'], { type: 'image/png' }));
    expect(recordProbeFaceSchema.safeParse(await readProbeFaceForm(text)).success).toBe(false);
    expect(recordProbeFaceSchema.safeParse(await readProbeFaceForm({ payload: '{}' })).success).toBe(false);
  });
});
