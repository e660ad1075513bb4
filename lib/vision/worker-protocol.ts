import type { DecodedImageInfo } from './decode-policy';
import type { DetectedFace, DetectOptions, FaceLandmarks } from './face-models';
import type { QualityReport } from './face-quality';
import type { Box } from './geometry';
import type { SerializedVisionError } from './vision-error';

// Messages between the vision Web Worker and its client. Only structured-cloneable data crosses: errors
// travel as codes, pixels and embeddings as transferred buffers.

export type WorkerBackendPreference = 'auto' | 'webgpu' | 'wasm';
export type WorkerBackend = 'webgpu' | 'wasm';

export type InitOptions = {
  modelsBaseUrl?: string;
  wasmPaths?: string;
  backend?: WorkerBackendPreference;
  numThreads?: number;
  isFlipAveraged?: boolean;
};

export type ImageSource = Blob | ArrayBuffer;

export type CropFormat = 'rgba' | 'png' | 'jpeg';

export type WorkerRequest =
  | { id: number; type: 'init'; options: InitOptions }
  | { id: number; type: 'detect'; source: ImageSource; options?: Omit<DetectOptions, 'signal' | 'onLevel'> }
  | { id: number; type: 'analyse'; imageId: string; box: Box; score?: number | null; cropFormat?: CropFormat }
  | { id: number; type: 'analyse-image'; source: ImageSource; options?: Omit<DetectOptions, 'signal' | 'onLevel'>; cropFormat?: CropFormat }
  | { id: number; type: 'release'; imageId: string }
  | { id: number; type: 'analyse-frame'; frame: ImageBitmap; options?: Omit<DetectOptions, 'signal' | 'onLevel'>; cropFormat?: CropFormat };

export type DetectResult = {
  imageId: string;
  width: number;
  height: number;
  info: DecodedImageInfo;
  faces: DetectedFace[];
  detectorId: string;
  /** Decoding alone; `ms` includes it. */
  decodeMs: number;
  ms: number;
};

export type CropData = { format: 'rgba'; width: number; height: number; data: Uint8ClampedArray } | { format: 'png' | 'jpeg'; width: number; height: number; blob: Blob };

export type AnalyseResult = {
  box: Box;
  detectorScore: number | null;
  isManualBox: boolean;
  landmarks: FaceLandmarks;
  quality: QualityReport;
  crop: CropData;
  embedding: Float32Array;
  modelId: string;
  ms: number;
};

export type AnalyseImageResult = { detect: DetectResult; faces: AnalyseResult[]; ms: number };

export type InitResult = {
  backend: WorkerBackend;
  detectorId: string;
  landmarkerId: string;
  recognizerId: string;
  numThreads: number;
  /** Whether the WASM backend found cross-origin isolation (threads) — reported so a missing header shows. */
  isCrossOriginIsolated?: boolean;
};

/**
 * Where a request's time went inside the worker, for the page's performance.measure entries (read by
 * `npm run bench -- page`). Times are epoch milliseconds (timeOrigin + now), comparable across the page
 * and the worker; a handful of numbers per request, so it is sent in production too.
 */
export type WorkerTiming = { receivedAt: number; repliedAt: number; spans: { name: string; start: number; ms: number }[] };

export type WorkerResponse =
  | { id: number; ok: true; result: unknown; timing?: WorkerTiming }
  | { id: number; ok: false; error: SerializedVisionError }
  | { id: -1; event: 'backend-changed'; backend: WorkerBackend; reason: string };

/**
 * One frame sampled from a clip (the page decodes it and transfers the ImageBitmap): every face found in
 * it, measured and embedded, and the SHA-256 of the frame as the worker encoded it (PNG), which stands
 * for the frame as the probe's still. Null when the frame has no face, so no time is spent encoding it.
 */
export type AnalyseFrameResult = { width: number; height: number; faces: AnalyseResult[]; frameSha256: string | null; ms: number };
