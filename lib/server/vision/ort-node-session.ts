import 'server-only';
import * as ort from 'onnxruntime-node';
import { adaptOrtSession, type CreateModelSession, type ModelSession } from '@/lib/vision/model-session';
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
    return adaptOrtSession(session, {
      makeTensor: (data, dims) => new ort.Tensor('float32', data, dims),
      describeFailure: (error) => new VisionError('INFERENCE_FAILED', `Inference failed: ${(error as Error).message}`),
    });
  };
}
