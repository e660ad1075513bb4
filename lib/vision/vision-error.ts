// Every failure the pipeline can explain to an investigator has a code; the UI maps codes to messages
// and the worker sends the code across postMessage, where class identity is lost.
export const visionErrorCodes = [
  'DECODE_FAILED',
  'UNSUPPORTED_FORMAT',
  'EMPTY_IMAGE',
  'IMAGE_TOO_LARGE',
  'ANIMATED_IMAGE',
  'NO_FACE',
  'INVALID_BOX',
  'MODEL_MISSING',
  'MODEL_HASH_MISMATCH',
  'MODEL_MISMATCH',
  'INFERENCE_FAILED',
  'BACKEND_LOST',
  'WORKER_FAILED',
] as const;

export type VisionErrorCode = (typeof visionErrorCodes)[number];

export class VisionError extends Error {
  readonly code: VisionErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: VisionErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'VisionError';
    this.code = code;
    this.details = details;
  }
}

export type SerializedVisionError = { code: VisionErrorCode; message: string; details?: Record<string, unknown> };

export function serializeVisionError(error: unknown): SerializedVisionError {
  if (error instanceof VisionError) {
    return { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'INFERENCE_FAILED', message };
}

export function deserializeVisionError(value: SerializedVisionError): VisionError {
  return new VisionError(value.code, value.message, value.details);
}

export function isVisionErrorCode(value: unknown): value is VisionErrorCode {
  return typeof value === 'string' && (visionErrorCodes as readonly string[]).includes(value);
}
