import * as ort from 'onnxruntime-web/webgpu';
import { adaptOrtSession, type CreateModelSession, type ModelSession } from '@/lib/vision/model-session';
import { VisionError } from '@/lib/vision/vision-error';
import type { WorkerBackend, WorkerBackendPreference } from '@/lib/vision/worker-protocol';

// onnxruntime-web set-up for the vision worker. The runtime files are served from /ort/ (copied there at
// install), never from a CDN: the workstation runs on networks with no internet access.

type GpuNavigator = { gpu?: { requestAdapter(): Promise<unknown | null> } };

export async function hasWebGpuAdapter(): Promise<boolean> {
  const gpu = (globalThis.navigator as GpuNavigator | undefined)?.gpu;
  if (!gpu) return false;
  try {
    return (await gpu.requestAdapter()) !== null;
  } catch {
    return false;
  }
}

export async function chooseBackend(preference: WorkerBackendPreference = 'auto'): Promise<WorkerBackend> {
  if (preference === 'wasm') return 'wasm';
  const hasGpu = await hasWebGpuAdapter();
  if (preference === 'webgpu' && !hasGpu) throw new VisionError('BACKEND_LOST', 'WebGPU was requested but no adapter is available.');
  return hasGpu ? 'webgpu' : 'wasm';
}

/**
 * WASM threads for the worker's ORT pool. Threads need SharedArrayBuffer, i.e. a cross-origin-isolated page.
 * One core is left to the page (its main thread draws, hashes and decodes video while the worker infers):
 * ORT's threads spin while they wait for each other, so a pool as large as the machine loses whenever
 * anything else runs. On a 2-core machine 1 thread took a 1920×1080 still to its boxes in 1.4 s against
 * 2.9–3.2 s with 2 (BENCHMARKS.md "Speed on real frames", `npm run bench -- page`).
 */
export function chooseWasmThreads({ isIsolated, cores, requested }: { isIsolated: boolean; cores: number; requested?: number | undefined }): number {
  if (!isIsolated) return 1;
  return Math.max(1, Math.min(requested ?? Math.min(4, cores - 1), cores));
}

export function configureOrtWeb(options: { wasmPaths?: string; numThreads?: number } = {}): number {
  ort.env.wasm.wasmPaths = options.wasmPaths ?? '/ort/';
  const threads = chooseWasmThreads({
    isIsolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true,
    cores: globalThis.navigator?.hardwareConcurrency ?? 1,
    requested: options.numThreads,
  });
  ort.env.wasm.numThreads = threads;
  ort.env.wasm.simd = true;
  // Already inside a worker: ORT's own proxy worker would only add a hop.
  ort.env.wasm.proxy = false;
  ort.env.logLevel = 'error';
  return threads;
}

export function createWebSessionFactory(backend: WorkerBackend): CreateModelSession {
  return async (model: Uint8Array): Promise<ModelSession> => {
    const session = await ort.InferenceSession.create(model, {
      executionProviders: backend === 'webgpu' ? ['webgpu', 'wasm'] : ['wasm'],
      graphOptimizationLevel: 'all',
    });
    return adaptOrtSession(session, {
      makeTensor: (data, dims) => new ort.Tensor('float32', data, dims),
      describeFailure: (error) => {
        const message = (error as Error).message ?? String(error);
        const isGpuLoss = backend === 'webgpu' && /device|lost|gpu/i.test(message);
        return new VisionError(isGpuLoss ? 'BACKEND_LOST' : 'INFERENCE_FAILED', `Inference failed: ${message}`);
      },
    });
  };
}
