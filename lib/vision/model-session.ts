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
