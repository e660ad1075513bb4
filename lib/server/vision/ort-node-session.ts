import 'server-only';
import * as ort from 'onnxruntime-node';
import type { CreateModelSession, ModelSession, TensorData } from '@/lib/vision/model-session';
import { VisionError } from '@/lib/vision/vision-error';

// One intra-op thread by default: bulk enrolment runs one image per worker process, and a server that
// handles several searches at once gains nothing from threads fighting over the same cores.
export type NodeSessionOptions = { intraOpThreads?: number };

export function createNodeSessionFactory(options: NodeSessionOptions = {}): CreateModelSession {
  const threads = options.intraOpThreads ?? 1;
  return async (model: Uint8Array): Promise<ModelSession> => {
    const session = await ort.InferenceSession.create(model, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
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
          throw new VisionError('INFERENCE_FAILED', `Inference failed: ${(error as Error).message}`);
        }
        const result: Record<string, TensorData> = {};
        for (const [name, value] of Object.entries(outputs)) {
          const tensor = value as ort.Tensor;
          result[name] = { data: tensor.data as Float32Array, dims: tensor.dims };
        }
        return result;
      },
      release: () => session.release(),
    };
  };
}
