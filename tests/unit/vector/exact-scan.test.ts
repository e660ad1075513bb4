import { describe, expect, it } from 'vitest';
import { angleBound, dotRow, quantiseQuery, quantiseRowInt8, scanExact, type ScanBlock } from '@/lib/server/vector/exact-scan';
import { seeded } from '../../support/seeded-random';

function normalise(vector: Float32Array): Float32Array {
  const norm = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
  return vector.map((value) => value / norm);
}

/** Rows around one centre: `spread` small makes every score nearly equal, the hard case for int8. */
function makeBlock(rows: number, dimension: number, spread: number, seed: number): ScanBlock {
  const random = seeded(seed);
  const centre = normalise(Float32Array.from({ length: dimension }, random));
  const f32 = new Float32Array(rows * dimension);
  const i8 = new Int8Array(rows * dimension);
  let maxQuantError = 0;
  for (let row = 0; row < rows; row++) {
    const vector = normalise(centre.map((value) => value + spread * random()));
    f32.set(vector, row * dimension);
    maxQuantError = Math.max(maxQuantError, quantiseRowInt8(f32, row * dimension, i8, row * dimension, dimension));
  }
  return { f32, i8, rows, maxQuantError };
}

function bruteForce(blocks: ScanBlock[], query: Float32Array, dimension: number, limit: number) {
  const all = blocks.flatMap((block, index) =>
    Array.from({ length: block.rows }, (_, row) => ({ block: index, row, score: dotRow(block.f32, row * dimension, query, dimension) })),
  );
  return all.sort((a, b) => b.score - a.score).slice(0, limit);
}

describe('quantiseRowInt8', () => {
  it('keeps the relative error small and reports it', () => {
    const dimension = 512;
    const source = normalise(Float32Array.from({ length: dimension }, seeded(1)));
    const target = new Int8Array(dimension);
    const error = quantiseRowInt8(source, 0, target, 0, dimension);
    expect(error).toBeGreaterThan(0);
    expect(error).toBeLessThan(0.02);
    expect(Math.max(...target.map(Math.abs))).toBe(127);
    // Cosine between the original and its int8 copy is within the reported angle.
    const cosine = dotRow(source, 0, normalise(Float32Array.from(target)), dimension);
    expect(Math.acos(Math.min(1, cosine))).toBeLessThanOrEqual(angleBound(error) + 1e-6);
  });

  it('bounds the angle by π when the error is total', () => {
    expect(angleBound(1)).toBe(Math.PI);
    expect(angleBound(0)).toBe(0);
  });
});

describe('scanExact', () => {
  it('matches brute force across several blocks of mixed sizes', () => {
    const dimension = 64;
    const blocks = [makeBlock(3000, dimension, 2, 2), makeBlock(100, dimension, 2, 3), makeBlock(2048, dimension, 2, 4), makeBlock(0, dimension, 1, 5)];
    for (let q = 0; q < 10; q++) {
      const query = normalise(Float32Array.from({ length: dimension }, seeded(100 + q)));
      const { candidates } = scanExact(blocks, quantiseQuery(query), { dimension, limit: 50 });
      const expected = bruteForce(blocks, query, dimension, 50);
      expect(candidates.map((c) => `${c.block}:${c.row}`)).toEqual(expected.map((c) => `${c.block}:${c.row}`));
      candidates.forEach((c, i) => expect(c.score).toBe(expected[i]!.score));
    }
  });

  it('widens the shortlist when int8 cannot separate the candidates, and stays exact', () => {
    const dimension = 128;
    // Every score is within ~0.001 of every other: far inside the int8 error, so the first shortlist of
    // 1024 cannot be certified and the block must be scanned again with a longer one.
    const block = makeBlock(6000, dimension, 0.004, 6);
    const query = normalise(Float32Array.from({ length: dimension }, seeded(7)));
    const nearQuery = normalise(query.map((value, i) => value + 10 * block.f32[i]!));
    const result = scanExact([block], quantiseQuery(nearQuery), { dimension, limit: 50 });
    expect(result.passes).toBeGreaterThan(1);
    const expected = bruteForce([block], nearQuery, dimension, 50);
    expect(result.candidates.map((c) => c.row)).toEqual(expected.map((c) => c.row));
  });

  it('applies minScore and returns fewer than limit when few rows qualify', () => {
    const dimension = 32;
    const blocks = [makeBlock(2500, dimension, 2, 8)];
    const query = normalise(Float32Array.from({ length: dimension }, seeded(9)));
    const expected = bruteForce(blocks, query, dimension, 2500).filter((c) => c.score >= 0.4);
    const { candidates } = scanExact(blocks, quantiseQuery(query), { dimension, limit: 1000, minScore: 0.4 });
    expect(candidates.length).toBe(Math.min(1000, expected.length));
    expect(candidates.map((c) => c.row)).toEqual(expected.slice(0, 1000).map((c) => c.row));
  });

  it('refuses a query view that does not start its buffer (the native scan would read the wrong bytes)', () => {
    const dimension = 8;
    const query = quantiseQuery(normalise(Float32Array.from({ length: dimension }, seeded(10))));
    const offsetView = { ...query, i8: new Int8Array(dimension * 2).subarray(dimension) };
    expect(() => scanExact([makeBlock(2000, dimension, 1, 11)], offsetView, { dimension, limit: 5 })).toThrow(/offset 0/);
  });
});
