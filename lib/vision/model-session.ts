// The one seam between the shared pipeline and a runtime. onnxruntime-node and onnxruntime-web each wrap
// their InferenceSession in this shape; nothing in lib/vision imports either package, so the browser
// worker and Node enrolment run the same pre- and post-processing code.

export type TensorData = { data: Float32Array; dims: readonly number[] };

export interface ModelSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, TensorData>): Promise<Record<string, TensorData>>;
  release?(): Promise<void>;
}

export type CreateModelSession = (model: Uint8Array) => Promise<ModelSession>;

export async function runSingleInput(session: ModelSession, data: Float32Array, dims: readonly number[]) {
  const input = session.inputNames[0];
  if (!input) throw new Error('model has no inputs');
  return session.run({ [input]: { data, dims } });
}

export function requireOutput(outputs: Record<string, TensorData>, name: string): TensorData {
  const out = outputs[name] ?? Object.values(outputs)[0];
  if (!out) throw new Error(`model output ${name} missing`);
  return out;
}

/** As much of an onnxruntime (node or web) tensor as the pipeline reads. */
type OrtLikeTensor = { data: unknown; dims: readonly number[]; location?: string; getData?(releaseData?: boolean): Promise<unknown> };

/** As much of an onnxruntime (node or web) InferenceSession as the pipeline uses. */
export type OrtLikeSession<Tensor> = {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, Tensor>): Promise<Record<string, unknown>>;
  release(): Promise<void>;
};

/**
 * Wraps either package's session in the pipeline's shape. The two runtimes differ only in how a tensor
 * is made and how a failure is named (a lost GPU in the browser), which the caller supplies.
 */
export function adaptOrtSession<Tensor>(
  session: OrtLikeSession<Tensor>,
  options: { makeTensor: (data: Float32Array, dims: number[]) => Tensor; describeFailure: (error: unknown) => Error },
): ModelSession {
  return {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    async run(feeds) {
      const ortFeeds: Record<string, Tensor> = {};
      for (const [name, tensor] of Object.entries(feeds)) ortFeeds[name] = options.makeTensor(tensor.data, [...tensor.dims]);
      let outputs: Record<string, unknown>;
      try {
        outputs = await session.run(ortFeeds);
      } catch (error) {
        throw options.describeFailure(error);
      }
      const result: Record<string, TensorData> = {};
      for (const [name, value] of Object.entries(outputs)) {
        const tensor = value as OrtLikeTensor;
        // GPU-resident outputs (WebGPU) must be downloaded; CPU ones are already there.
        const isOnCpu = tensor.location === undefined || tensor.location === 'cpu';
        const data = isOnCpu || !tensor.getData ? tensor.data : await tensor.getData(true);
        result[name] = { data: data as Float32Array, dims: tensor.dims };
      }
      return result;
    },
    release: () => session.release(),
  };
}
