import type { Box } from '@/lib/vision/geometry';
import type { DetectOptions } from '@/lib/vision/face-models';
import { deserializeVisionError, VisionError } from '@/lib/vision/vision-error';
import type {
  AnalyseFrameResult,
  AnalyseImageResult,
  AnalyseResult,
  CropFormat,
  DetectResult,
  ImageSource,
  InitOptions,
  InitResult,
  WorkerBackend,
  WorkerRequest,
  WorkerResponse,
  WorkerTiming,
} from '@/lib/vision/worker-protocol';

// Promise API over the vision worker for React components: `detect(file)` then `analyse(face)`.
// If the worker itself dies (out of memory on a hostile file), pending calls fail with WORKER_FAILED
// and the next call starts a fresh worker, so one bad image never leaves the page without analysis.

export type VisionClientOptions = InitOptions & {
  createWorker?: () => Worker;
  onBackendChanged?: (backend: WorkerBackend, reason: string) => void;
};

export type FaceBoxRef = { imageId: string; box: Box; score?: number | null };

type RequestBody = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

type Pending = { resolve: (value: unknown) => void; reject: (error: VisionError) => void; type: WorkerRequest['type']; sentAt: number };

/**
 * The worker's timing channel as User Timing entries (`vision:<request>:<stage>` measures on the page's
 * timeline), read by `npm run bench -- page`. A new still (detect) clears the last one's entries, so a long
 * session does not accumulate them.
 */
function recordTiming(type: string, sentAt: number, timing: WorkerTiming): void {
  if (typeof performance?.measure !== 'function') return;
  const origin = performance.timeOrigin;
  const now = performance.now();
  if (type === 'detect') {
    for (const entry of performance.getEntriesByType('measure')) if (entry.name.startsWith('vision:')) performance.clearMeasures(entry.name);
  }
  const measure = (name: string, start: number, end: number) => {
    try {
      performance.measure(name, { start, end: Math.max(start, end) });
    } catch {
      // Timing is informative only.
    }
  };
  measure(`vision:${type}:to-worker`, sentAt, timing.receivedAt - origin);
  for (const span of timing.spans) measure(`vision:${type}:${span.name}`, span.start - origin, span.start - origin + span.ms);
  measure(`vision:${type}:from-worker`, timing.repliedAt - origin, now);
}

export type VisionClient = {
  ready(): Promise<InitResult>;
  detect(file: ImageSource, options?: Omit<DetectOptions, 'signal' | 'onLevel'>): Promise<DetectResult>;
  analyse(face: FaceBoxRef, options?: { cropFormat?: CropFormat }): Promise<AnalyseResult>;
  analyseImage(file: ImageSource, options?: Omit<DetectOptions, 'signal' | 'onLevel'> & { cropFormat?: CropFormat }): Promise<AnalyseImageResult>;
  release(imageId: string): Promise<void>;
  /** Analyses every face of a decoded clip frame; the bitmap is transferred (unusable here afterwards). */
  analyseFrame(frame: ImageBitmap, options?: Omit<DetectOptions, 'signal'> & { cropFormat?: CropFormat }): Promise<AnalyseFrameResult>;
  terminate(): void;
};

function defaultWorker(): Worker {
  return new Worker(new URL('./vision-worker.ts', import.meta.url), { type: 'module', name: 'vision' });
}

export function createVisionClient(options: VisionClientOptions = {}): VisionClient {
  const { createWorker = defaultWorker, onBackendChanged, ...initOptions } = options;
  let worker: Worker | null = null;
  let initialised: Promise<InitResult> | null = null;
  let nextId = 1;
  const pending = new Map<number, Pending>();

  function failAll(error: VisionError) {
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  }

  function startWorker(): Worker {
    const w = createWorker();
    w.onmessage = (event: MessageEvent<WorkerResponse>) => {
      const message = event.data;
      if ('event' in message) {
        onBackendChanged?.(message.backend, message.reason);
        return;
      }
      const p = pending.get(message.id);
      if (!p) return;
      pending.delete(message.id);
      if (message.ok && message.timing) recordTiming(p.type, p.sentAt, message.timing);
      if (message.ok) p.resolve(message.result);
      else p.reject(deserializeVisionError(message.error));
    };
    w.onerror = (event) => {
      event.preventDefault();
      w.terminate();
      if (worker === w) {
        worker = null;
        initialised = null;
      }
      failAll(new VisionError('WORKER_FAILED', `The vision worker stopped: ${event.message || 'unknown error'}. It will restart on the next request.`));
    };
    return w;
  }

  function send<T>(request: RequestBody, transfer: Transferable[] = []): Promise<T> {
    worker ??= startWorker();
    const id = nextId++;
    const w = worker;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject, type: request.type, sentAt: performance.now() });
      w.postMessage({ ...request, id } as WorkerRequest, transfer);
    });
  }

  function ready(): Promise<InitResult> {
    initialised ??= send<InitResult>({ type: 'init', options: initOptions }).catch((error: unknown) => {
      initialised = null;
      throw error;
    });
    return initialised;
  }

  return {
    ready,
    async detect(file, detectOptions) {
      await ready();
      return send<DetectResult>({ type: 'detect', source: file, options: detectOptions });
    },
    async analyse(face, analyseOptions) {
      await ready();
      return send<AnalyseResult>({ type: 'analyse', imageId: face.imageId, box: face.box, score: face.score, cropFormat: analyseOptions?.cropFormat ?? 'png' });
    },
    async analyseImage(file, analyseOptions = {}) {
      await ready();
      const { cropFormat, ...detectOptions } = analyseOptions;
      return send<AnalyseImageResult>({ type: 'analyse-image', source: file, options: detectOptions, cropFormat });
    },
    async analyseFrame(frame, frameOptions = {}) {
      await ready();
      const { cropFormat, ...detectOptions } = frameOptions;
      return send<AnalyseFrameResult>({ type: 'analyse-frame', frame, options: detectOptions, cropFormat }, [frame]);
    },
    async release(imageId) {
      if (!worker) return;
      await send<null>({ type: 'release', imageId });
    },
    terminate() {
      worker?.terminate();
      worker = null;
      initialised = null;
      failAll(new VisionError('WORKER_FAILED', 'The vision worker was stopped.'));
    },
  };
}
