import { describe, expect, it } from 'vitest';
import {
  normaliseIds,
  normalisePoints,
  normaliseSearchQuery,
  normaliseVector,
  toCollectionName,
} from '@/lib/server/vector/validate-vector';
import { isVectorIndexError } from '@/lib/server/vector/vector-index';

const payload = { watchlistId: 'wl', subjectId: 's', enrolledFaceId: 'f', expiresAt: null };
const id = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';

describe('normaliseVector', () => {
  it('returns a unit-length copy in its own buffer', () => {
    const source = new Float32Array([0, 3, 4, 99]).subarray(0, 3);
    const unit = normaliseVector(source, 3);
    expect(Array.from(unit)).toEqual([0, 0.6000000238418579, 0.800000011920929]);
    expect(unit.byteOffset).toBe(0);
    expect(unit.buffer).not.toBe(source.buffer);
  });

  it.each([
    ['NaN', new Float32Array([1, Number.NaN, 0])],
    ['infinity', new Float32Array([1, Number.POSITIVE_INFINITY, 0])],
    ['zero', new Float32Array(3)],
    ['wrong dimension', new Float32Array([1, 2])],
    ['a plain array', [1, 2, 3]],
  ])('refuses %s', (_label, vector) => {
    expect(() => normaliseVector(vector, 3)).toThrow(expect.objectContaining({ reason: 'INVALID_VECTOR' }));
  });
});

describe('normalisePoints', () => {
  it('lower-cases ids and keeps payloads', () => {
    const [point] = normalisePoints([{ id: id.toUpperCase(), vector: new Float32Array([1, 0]), payload }], 2);
    expect(point).toMatchObject({ id, payload });
  });

  it('refuses a batch with a bad point, a duplicate id, a non-UUID id or a bad payload', () => {
    const good = { id, vector: new Float32Array([1, 0]), payload };
    const cases = [
      [good, { ...good, id: '7c9e6679-7425-40de-944b-e07fc1f90ae7', vector: new Float32Array([0, 0]) }],
      [good, { ...good }],
      [{ ...good, id: '42' }],
      [{ ...good, payload: { ...payload, watchlistId: '' } }],
      [{ ...good, payload: { ...payload, expiresAt: 'next tuesday' } }],
    ];
    for (const points of cases) {
      let caught: unknown;
      try {
        normalisePoints(points, 2);
      } catch (error) {
        caught = error;
      }
      expect(isVectorIndexError(caught)).toBe(true);
    }
  });

  it('refuses non-UUID ids on delete', () => {
    expect(() => normaliseIds(['nope'])).toThrow(expect.objectContaining({ reason: 'INVALID_INPUT' }));
  });
});

describe('normaliseSearchQuery', () => {
  const vector = new Float32Array([1, 1]);
  it('checks limit, minScore and watch-lists, and de-duplicates watch-lists', () => {
    expect(normaliseSearchQuery({ vector, limit: 5, watchlistIds: ['a', 'a', 'b'] }, 2).watchlistIds).toEqual(['a', 'b']);
    expect(() => normaliseSearchQuery({ vector, limit: 0, watchlistIds: [] }, 2)).toThrow();
    expect(() => normaliseSearchQuery({ vector, limit: 5.5, watchlistIds: [] }, 2)).toThrow();
    expect(() => normaliseSearchQuery({ vector, limit: 5, watchlistIds: [''] }, 2)).toThrow();
    expect(() => normaliseSearchQuery({ vector, limit: 5, watchlistIds: [], minScore: Number.NaN }, 2)).toThrow();
  });
});

describe('toCollectionName', () => {
  it('is stable, safe for paths and Qdrant, and distinguishes ids that slug alike', () => {
    const name = toCollectionName('ArcFace R100 / v1.2@onnx');
    expect(name).toMatch(/^faces-arcface-r100-v1-2-onnx-[0-9a-f]{12}$/);
    expect(toCollectionName('ArcFace R100 / v1.2@onnx')).toBe(name);
    expect(toCollectionName('arcface r100 v1 2 onnx')).not.toBe(name);
  });
});
