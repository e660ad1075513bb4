import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { adaptProbeVector, fitRidgeTowardsIdentity, loadProbeAdapter, PROBE_ADAPTERS_DIR, probeAdapterFileName } from '@/lib/server/search/probe-adapter';
import { calibrationTableFor, describeCalibrationTable } from '@/lib/shared/calibration/false-match-rate';

const scratch = mkdtempSync(join(tmpdir(), 'rfr-probe-adapter-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Seeded xorshift: the same "random" vectors every run. */
function random(seed: number) {
  let state = seed;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return ((state >>> 0) / 2 ** 32) * 2 - 1;
  };
}

describe('fitRidgeTowardsIdentity', () => {
  it('recovers a linear map from enough pairs, and stays near the identity with few', () => {
    const dimension = 6;
    const next = random(7);
    const truth = Float64Array.from({ length: dimension * dimension }, (_, k) => (k % (dimension + 1) === 0 ? 1 : 0) + 0.3 * next());
    const pairs = Array.from({ length: 400 }, () => {
      const input = Float32Array.from({ length: dimension }, () => next());
      const target = new Float32Array(dimension);
      for (let i = 0; i < dimension; i++) for (let j = 0; j < dimension; j++) target[j]! += input[i]! * truth[i * dimension + j]!;
      return { input, target };
    });
    const fitted = fitRidgeTowardsIdentity(pairs, dimension, 1e-6);
    expect(fitted.pairs).toBe(400);
    for (let k = 0; k < truth.length; k++) expect(fitted.matrix[k]).toBeCloseTo(truth[k]!, 4);

    // A huge λ keeps the identity whatever the data say.
    const shrunk = fitRidgeTowardsIdentity(pairs.slice(0, 3), dimension, 1e9);
    for (let k = 0; k < truth.length; k++) expect(shrunk.matrix[k]).toBeCloseTo(k % (dimension + 1) === 0 ? 1 : 0, 5);
  });

  it('refuses a non-positive λ and vectors of the wrong length', () => {
    expect(() => fitRidgeTowardsIdentity([], 3, 0)).toThrow(/lambda/);
    expect(() => fitRidgeTowardsIdentity([{ input: new Float32Array(2), target: new Float32Array(3) }], 3, 1)).toThrow(/3-D/);
  });
});

describe('adaptProbeVector', () => {
  it('returns xM normalised to unit length, and refuses a vector of the wrong length', () => {
    const adapter = { id: 'toy', dimension: 2, matrix: Float32Array.from([2, 0, 0, 1]) };
    const adapted = adaptProbeVector(adapter, Float32Array.from([0.6, 0.8]));
    expect(adapted[0]).toBeCloseTo(1.2 / Math.hypot(1.2, 0.8), 6);
    expect(adapted[1]).toBeCloseTo(0.8 / Math.hypot(1.2, 0.8), 6);
    expect(() => adaptProbeVector(adapter, new Float32Array(3))).toThrow(/2-D/);
  });
});

describe('the shipped adapter', () => {
  const table = calibrationTableFor('faceplugin-fr-feature-512@0.0.1')!;

  it('is named by the general table, loads with a matching hash, and moves a vector only a little', () => {
    expect(table.probeAdapterId).toBeTruthy();
    const adapter = loadProbeAdapter(table.probeAdapterId!);
    expect(adapter.modelId).toBe(table.modelId);
    expect(adapter.dimension).toBe(512);
    const next = random(11);
    const vector = Float32Array.from({ length: 512 }, () => next());
    const norm = Math.hypot(...vector);
    const unitVector = vector.map((value) => value / norm);
    const adapted = adaptProbeVector(adapter, unitVector);
    const cosine = adapted.reduce((sum, value, i) => sum + value * unitVector[i]!, 0);
    expect(Math.hypot(...adapted)).toBeCloseTo(1, 5);
    expect(cosine).toBeGreaterThan(0.8);
    expect(cosine).toBeLessThan(1);
    expect(describeCalibrationTable(table)).toMatch(/degraded-face adapter/);
  });

  it('refuses an adapter whose matrix does not match its recorded SHA-256', () => {
    const id = table.probeAdapterId!;
    const name = probeAdapterFileName(id);
    writeFileSync(join(scratch, `${name}.json`), readFileSync(join(PROBE_ADAPTERS_DIR, `${name}.json`)));
    const bytes = readFileSync(join(PROBE_ADAPTERS_DIR, `${name}.bin`));
    bytes[100] = bytes[100]! ^ 1;
    writeFileSync(join(scratch, `${name}.bin`), bytes);
    expect(() => loadProbeAdapter(id, scratch)).toThrow(/SHA-256.*Refusing/);
  });
});
