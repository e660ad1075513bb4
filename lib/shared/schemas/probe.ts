import { z } from 'zod';
import { embeddingSchema } from './embedding';

const finite = z.number().finite();
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'Expected a SHA-256 hex digest.');

export const QUALITY_VERDICTS = ['good', 'usable', 'poor'] as const;

/** A face crop is small (the aligned crop is 112×112, a few tens of KiB as PNG); anything much bigger is not a crop. */
export const MAX_CROP_BYTES = 512 * 1024;
/** The JSON part of the form: measurements and a 512-value embedding come to well under this. */
export const MAX_PAYLOAD_CHARS = 200_000;

/** The names of the two parts of the form `recordProbeFaceForSearch` takes. */
export const PROBE_FACE_FORM_FIELDS = { payload: 'payload', crop: 'crop' } as const;

/** A clip may be long, but the browser samples only its first minutes (lib/client/clip-sampler.ts). */
export const MAX_FRAME_TIME_MS = 24 * 60 * 60 * 1000;

/**
 * Where a still came from when it is a frame sampled from a clip in the browser. The clip itself never
 * leaves the browser; its SHA-256 lets the frame be traced back to the exhibit, and the time says which frame.
 */
export const probeClipFrameSchema = z.object({
  clipSha256: sha256,
  fileName: z.string().trim().min(1).max(255),
  frameTimeMs: z.number().int().min(0).max(MAX_FRAME_TIME_MS),
});

export const probeStillSchema = z.object({
  /**
   * The still's SHA-256. For a clip frame, the hash of the frame as the browser encoded it (a PNG of the
   * decoded frame), since that frame exists nowhere else; `clip` carries the clip's own hash.
   */
  imageSha256: sha256,
  width: z.number().int().min(1).max(100_000),
  height: z.number().int().min(1).max(100_000),
  source: z.string().trim().min(1, 'Say where the still came from.').max(200),
  cameraLocation: z.string().trim().max(200).optional(),
  capturedAt: z.iso.datetime({ offset: true }).optional(),
  clip: probeClipFrameSchema.optional(),
});

export const probeFaceSchema = z.object({
  box: z.object({ x: finite.min(0), y: finite.min(0), width: finite.positive(), height: finite.positive() }),
  /** The five points in the still's pixels, as the browser located them; the server measures pose from them. */
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
});

/** The JSON part of the form. */
export const recordProbeFacePayloadSchema = z.object(
  {
    caseId: z.string().uuid('Unknown case.'),
    /**
     * Chosen by the browser once per face it submits, so a retried submission (a dropped connection,
     * a double click) returns the face already recorded instead of recording it twice.
     */
    idempotencyKey: z.string().uuid('The submission key must be a UUID.'),
    still: probeStillSchema,
    face: probeFaceSchema,
  },
  { error: 'The submission could not be read: expected a JSON object.' },
);
export type RecordProbeFacePayload = z.input<typeof recordProbeFacePayloadSchema>;

function isPngOrJpeg(bytes: Uint8Array): boolean {
  const isPng = bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  const isJpeg = bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  return isPng || isJpeg;
}

/** What the action validates once the form is read: the payload and the crop's bytes. */
export const recordProbeFaceSchema = z.object({
  payload: recordProbeFacePayloadSchema,
  crop: z
    .instanceof(Uint8Array, { error: 'Attach the aligned face crop as a PNG or JPEG file.' })
    .refine((bytes) => bytes.byteLength > 0 && bytes.byteLength <= MAX_CROP_BYTES, `The face crop must be a file of 1 byte to ${MAX_CROP_BYTES / 1024} KiB.`)
    .refine(isPngOrJpeg, 'The face crop must be a PNG or JPEG image.'),
});
export type RecordProbeFaceInput = z.infer<typeof recordProbeFaceSchema>;

/**
 * The form the browser posts to `recordProbeFaceForSearch`: the crop travels as a file rather than as
 * base64 inside JSON (a third smaller, and the server reads it as bytes without decoding a string).
 */
export function buildProbeFaceFormData(payload: RecordProbeFacePayload, crop: Blob): FormData {
  const form = new FormData();
  form.set(PROBE_FACE_FORM_FIELDS.payload, JSON.stringify(payload));
  form.set(PROBE_FACE_FORM_FIELDS.crop, crop, crop.type === 'image/jpeg' ? 'face.jpg' : 'face.png');
  return form;
}

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

/** The one face sent to the server: its measurements and embedding (never the still; the crop goes as a file). */
export function toProbeFaceInput(face: MeasuredFace): z.input<typeof probeFaceSchema> {
  return {
    box: face.box,
    landmarks: face.landmarks.points5.map((point) => [point.x, point.y] as [number, number]),
    quality: { verdict: face.quality.verdict, metrics: finiteOrNull(face.quality.metrics), reasons: [...face.quality.reasons] },
    detectorScore: face.detectorScore,
    isManualBox: face.isManualBox,
    modelId: face.modelId,
    embedding: Array.from(face.embedding),
  };
}

// A measurement that could not be taken (a flat crop has no sharpness to speak of) is recorded as
// unknown rather than as NaN, which JSON cannot carry and the schema refuses.
function finiteOrNull(metrics: object): Record<string, number | null> {
  return Object.fromEntries(
    Object.entries(metrics).map(([key, value]) => [key, typeof value === 'number' && Number.isFinite(value) ? value : null]),
  );
}
