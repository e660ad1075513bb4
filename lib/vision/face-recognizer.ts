import type { FaceRecognizer } from './face-models';
import { requireOutput, runSingleInput, type ModelSession } from './model-session';
import { type Normalisation, type RgbImage, toPlanarTensor } from './pixel-image';

export type RecognizerConfig = {
  modelId: string;
  inputSize: number;
  dimension: number;
  normalisation: Normalisation;
  outputName: string;
  /**
   * Also embed the mirrored crop and add the two: a common ArcFace test-time step that makes the vector
   * less sensitive to which half of the face the light falls on. Costs a second inference.
   */
  isFlipAveraged: boolean;
};

export function normaliseL2(vector: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < vector.length; i++) sum += vector[i]! * vector[i]!;
  const norm = Math.sqrt(sum);
  const out = new Float32Array(vector.length);
  if (norm === 0 || !Number.isFinite(norm)) return out;
  for (let i = 0; i < vector.length; i++) out[i] = vector[i]! / norm;
  return out;
}

export function cosineSimilarity(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

export function mirrorImage(image: RgbImage): RgbImage {
  const { width, height } = image;
  const out = new Uint8Array(image.data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const s = (y * width + x) * 3;
      const d = (y * width + (width - 1 - x)) * 3;
      out[d] = image.data[s]!;
      out[d + 1] = image.data[s + 1]!;
      out[d + 2] = image.data[s + 2]!;
    }
  }
  return { width, height, channels: 3, data: out };
}

export function createArcFaceRecognizer(session: ModelSession, config: RecognizerConfig): FaceRecognizer {
  const size = config.inputSize;
  async function infer(image: RgbImage): Promise<Float32Array> {
    const data = toPlanarTensor(image, config.normalisation);
    const out = requireOutput(await runSingleInput(session, data, [1, 3, size, size]), config.outputName);
    return out.data;
  }
  return {
    modelId: config.modelId,
    dimension: config.dimension,
    async embed(aligned: RgbImage): Promise<Float32Array> {
      if (aligned.width !== size || aligned.height !== size) {
        throw new RangeError(`recogniser expects a ${size}×${size} aligned crop`);
      }
      const raw = await infer(aligned);
      if (!config.isFlipAveraged) return normaliseL2(raw);
      const flipped = await infer(mirrorImage(aligned));
      const sum = new Float32Array(raw.length);
      const a = normaliseL2(raw);
      const b = normaliseL2(flipped);
      for (let i = 0; i < sum.length; i++) sum[i] = a[i]! + b[i]!;
      return normaliseL2(sum);
    },
  };
}
