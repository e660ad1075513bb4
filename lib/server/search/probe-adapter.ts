import 'server-only';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

// A probe adapter is a linear map applied to a probe face's embedding before it is searched (never to the
// stored embedding, the enrolled templates or the verification of a submitted crop). The one shipped maps
// embeddings of degraded faces (soft, blocky, small, dark) towards where the same photograph's clean
// embedding lies, and leaves clean ones where they are: fitted by ridge regression towards the identity on
// pairs of degraded and clean renderings of one photograph, from LFW people the evaluation never sees
// (`npm run calibrate -- --fit-probe-adapter`; BENCHMARKS.md "A probe adapter for degraded faces").
//
// A calibration table names the adapter its scores go with (`CalibrationTable.probeAdapterId`), so the
// table a search records also says how its probe was searched.

export const PROBE_ADAPTERS_DIR = resolve(process.cwd(), 'lib/server/search/probe-adapters');

/** `<file>.json` beside `<file>.bin` (the matrix: dimension² little-endian float32, row-major). */
export type ProbeAdapterManifest = {
  id: string;
  modelId: string;
  dimension: number;
  /** Ridge strength towards the identity map. */
  lambda: number;
  /** SHA-256 of the .bin: an adapter that does not match is refused, as a model that does not match is. */
  sha256: string;
  trainedOn: string;
  pairs: number;
  measuredAt: string;
};

export type ProbeAdapter = ProbeAdapterManifest & { matrix: Float32Array };

const loaded = new Map<string, ProbeAdapter>();

/** The adapter by id from `dir` (`<id with / and @ as ->.json`), checked against its hash; cached. */
export function loadProbeAdapter(id: string, dir = PROBE_ADAPTERS_DIR): ProbeAdapter {
  const key = `${dir}\u0000${id}`;
  const cached = loaded.get(key);
  if (cached) return cached;
  const base = join(dir, probeAdapterFileName(id));
  const manifest = JSON.parse(readFileSync(`${base}.json`, 'utf8')) as ProbeAdapterManifest;
  if (manifest.id !== id) throw new Error(`Probe adapter ${base}.json is ${manifest.id}, not ${id}.`);
  const bytes = readFileSync(`${base}.bin`);
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (digest !== manifest.sha256) throw new Error(`Probe adapter ${id}: ${base}.bin has SHA-256 ${digest}, the manifest says ${manifest.sha256}. Refusing to use it.`);
  if (bytes.byteLength !== manifest.dimension * manifest.dimension * 4) throw new Error(`Probe adapter ${id}: ${bytes.byteLength} bytes, not a ${manifest.dimension}² float32 matrix.`);
  const matrix = new Float32Array(manifest.dimension * manifest.dimension);
  new Uint8Array(matrix.buffer).set(bytes);
  const adapter = { ...manifest, matrix };
  loaded.set(key, adapter);
  return adapter;
}

export function probeAdapterFileName(id: string): string {
  return id.replace(/[@/]/g, '-');
}

/** x ↦ xM / ‖xM‖: the vector a probe face is searched with. Throws on a vector of the wrong length. */
export function adaptProbeVector(adapter: Pick<ProbeAdapter, 'dimension' | 'matrix' | 'id'>, vector: Float32Array): Float32Array {
  const { dimension, matrix } = adapter;
  if (vector.length !== dimension) throw new RangeError(`Probe adapter ${adapter.id} takes ${dimension}-D vectors, not ${vector.length}-D.`);
  const out = new Float64Array(dimension);
  for (let i = 0; i < dimension; i++) {
    const x = vector[i]!;
    if (x === 0) continue;
    const row = i * dimension;
    for (let j = 0; j < dimension; j++) out[j]! += x * matrix[row + j]!;
  }
  let norm = 0;
  for (let j = 0; j < dimension; j++) norm += out[j]! * out[j]!;
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  return Float32Array.from(out, (value) => value * scale);
}

/**
 * Ridge regression towards the identity: M = argmin Σ‖xM − y‖² + λ‖M − I‖², i.e.
 * (XᵀX + λI) M = XᵀY + λI, solved by Cholesky (the left side is symmetric positive definite for λ > 0).
 * `pairs` are (input, target) vectors of one dimension. Row-major float32 result.
 */
export function fitRidgeTowardsIdentity(pairs: Iterable<{ input: Float32Array; target: Float32Array }>, dimension: number, lambda: number): { matrix: Float32Array; pairs: number } {
  if (!(lambda > 0)) throw new RangeError('lambda must be positive');
  const gram = new Float64Array(dimension * dimension);
  const cross = new Float64Array(dimension * dimension);
  let count = 0;
  for (const { input, target } of pairs) {
    if (input.length !== dimension || target.length !== dimension) throw new RangeError(`pair ${count}: expected ${dimension}-D vectors`);
    for (let i = 0; i < dimension; i++) {
      const xi = input[i]!;
      const row = i * dimension;
      for (let j = i; j < dimension; j++) gram[row + j]! += xi * input[j]!;
      for (let j = 0; j < dimension; j++) cross[row + j]! += xi * target[j]!;
    }
    count++;
  }
  for (let i = 0; i < dimension; i++) {
    for (let j = 0; j < i; j++) gram[i * dimension + j] = gram[j * dimension + i]!;
    gram[i * dimension + i]! += lambda;
    cross[i * dimension + i]! += lambda;
  }
  const lower = choleskyInPlace(gram, dimension);
  const solution = new Float32Array(dimension * dimension);
  const column = new Float64Array(dimension);
  for (let c = 0; c < dimension; c++) {
    for (let r = 0; r < dimension; r++) column[r] = cross[r * dimension + c]!;
    // L z = b, then Lᵀ m = z.
    for (let r = 0; r < dimension; r++) {
      let sum = column[r]!;
      for (let k = 0; k < r; k++) sum -= lower[r * dimension + k]! * column[k]!;
      column[r] = sum / lower[r * dimension + r]!;
    }
    for (let r = dimension - 1; r >= 0; r--) {
      let sum = column[r]!;
      for (let k = r + 1; k < dimension; k++) sum -= lower[k * dimension + r]! * column[k]!;
      column[r] = sum / lower[r * dimension + r]!;
    }
    for (let r = 0; r < dimension; r++) solution[r * dimension + c] = column[r]!;
  }
  return { matrix: solution, pairs: count };
}

/** Lower-triangular L with A = LLᵀ, written over A's lower half (A symmetric positive definite). */
function choleskyInPlace(a: Float64Array, n: number): Float64Array {
  for (let j = 0; j < n; j++) {
    let diagonal = a[j * n + j]!;
    for (let k = 0; k < j; k++) diagonal -= a[j * n + k]! * a[j * n + k]!;
    if (!(diagonal > 0)) throw new Error('matrix is not positive definite');
    const root = Math.sqrt(diagonal);
    a[j * n + j] = root;
    for (let i = j + 1; i < n; i++) {
      let sum = a[i * n + j]!;
      for (let k = 0; k < j; k++) sum -= a[i * n + k]! * a[j * n + k]!;
      a[i * n + j] = sum / root;
    }
  }
  return a;
}
