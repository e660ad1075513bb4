import { z } from 'zod';
import { embeddingSchema } from './embedding';

const finite = z.number().finite();
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'Expected a SHA-256 hex digest.');

export const QUALITY_VERDICTS = ['good', 'usable', 'poor'] as const;

export const probeStillSchema = z.object({
  imageSha256: sha256,
  width: z.number().int().min(1).max(100_000),
  height: z.number().int().min(1).max(100_000),
  source: z.string().trim().min(1, 'Say where the still came from.').max(200),
  cameraLocation: z.string().trim().max(200).optional(),
  capturedAt: z.iso.datetime({ offset: true }).optional(),
});

export const probeFaceSchema = z.object({
  box: z.object({ x: finite.min(0), y: finite.min(0), width: finite.positive(), height: finite.positive() }),
  landmarks: z.array(z.tuple([finite, finite])).length(5, 'Five landmarks are expected.'),
  quality: z.object({
    verdict: z.enum(QUALITY_VERDICTS),
    metrics: z.record(z.string(), finite.nullable()),
    reasons: z.array(z.object({ metric: z.string(), level: z.enum(['poor', 'usable']), message: z.string().max(500) })).max(20),
  }),
  detectorScore: finite.min(0).max(1).nullable(),
  isManualBox: z.boolean(),
  modelId: z.string().min(1).max(200),
  embedding: embeddingSchema,
  /** The aligned face crop as base64 PNG or JPEG. */
  cropBase64: z.string().min(1).max(700_000, 'The face crop is too large.'),
});

export const recordProbeFaceSchema = z.object({
  caseId: z.string().uuid('Unknown case.'),
  still: probeStillSchema,
  face: probeFaceSchema,
});
export type RecordProbeFaceInput = z.infer<typeof recordProbeFaceSchema>;

/** What the pipeline measures for one face, in the browser worker and in Node alike. */
export type MeasuredFace = {
  box: { x: number; y: number; width: number; height: number };
  landmarks: { points5: readonly { x: number; y: number }[] };
  quality: {
    verdict: (typeof QUALITY_VERDICTS)[number];
    metrics: object;
    reasons: readonly { metric: string; level: 'poor' | 'usable'; message: string }[];
  };
  detectorScore: number | null;
  isManualBox: boolean;
  modelId: string;
  embedding: ArrayLike<number>;
};

/** The one face sent to the server: its measurements, embedding and aligned crop (never the still). */
export function toProbeFaceInput(face: MeasuredFace, cropBase64: string): z.input<typeof probeFaceSchema> {
  return {
    box: face.box,
    landmarks: face.landmarks.points5.map((point) => [point.x, point.y] as [number, number]),
    quality: { verdict: face.quality.verdict, metrics: finiteOrNull(face.quality.metrics), reasons: [...face.quality.reasons] },
    detectorScore: face.detectorScore,
    isManualBox: face.isManualBox,
    modelId: face.modelId,
    embedding: Array.from(face.embedding),
    cropBase64,
  };
}

// A measurement that could not be taken (a flat crop has no sharpness to speak of) is recorded as
// unknown rather than as NaN, which JSON cannot carry and the schema refuses.
function finiteOrNull(metrics: object): Record<string, number | null> {
  return Object.fromEntries(
    Object.entries(metrics).map(([key, value]) => [key, typeof value === 'number' && Number.isFinite(value) ? value : null]),
  );
}
