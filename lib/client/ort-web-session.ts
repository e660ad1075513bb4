import * as ort from 'onnxruntime-web/webgpu';
import type { CreateModelSession, ModelSession, TensorData } from '@/lib/vision/model-session';
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

export function configureOrtWeb(options: { wasmPaths?: string; numThreads?: number } = {}): number {
  ort.env.wasm.wasmPaths = options.wasmPaths ?? '/ort/';
  // Threads need SharedArrayBuffer, which needs cross-origin isolation (COOP/COEP headers).
  const isIsolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  const cores = globalThis.navigator?.hardwareConcurrency ?? 1;
  const threads = isIsolated ? Math.max(1, Math.min(options.numThreads ?? 4, cores)) : 1;
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
    return {
      inputNames: session.inputNames,
      outputNames: session.outputNames,
      async run(feeds: Record<string, TensorData>) {
        const ortFeeds: Record<string, ort.Tensor> = {};
        for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor('float32', t.data, t.dims as number[]);
        let outputs: ort.InferenceSession.OnnxValueMapType;
        try {
          outputs = await session.run(ortFeeds);
        } catch (error) {
          const message = (error as Error).message ?? String(error);
          const isGpuLoss = backend === 'webgpu' && /device|lost|gpu/i.test(message);
          throw new VisionError(isGpuLoss ? 'BACKEND_LOST' : 'INFERENCE_FAILED', `Inference failed: ${message}`);
        }
        const result: Record<string, TensorData> = {};
        for (const [name, value] of Object.entries(outputs)) {
          const tensor = value as ort.Tensor;
          // GPU-resident outputs must be downloaded; CPU ones are already there.
          const data = tensor.location === 'cpu' || tensor.location === undefined ? tensor.data : await tensor.getData(true);
          result[name] = { data: data as Float32Array, dims: tensor.dims };
        }
        return result;
      },
      release: () => session.release(),
    };
  };
}
