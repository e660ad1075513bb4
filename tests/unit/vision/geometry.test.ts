import { describe, expect, it } from 'vitest';
import {
  applyAffine,
  estimateSimilarity,
  intersectionOverUnion,
  invertAffine,
  suppressNonMaxima,
  type Affine,
} from '@/lib/vision/geometry';

describe('intersectionOverUnion', () => {
  it('is 1 for identical boxes, 0 for disjoint, 1/7 for two unit squares overlapping by a quarter', () => {
    const a = { x: 0, y: 0, width: 2, height: 2 };
    expect(intersectionOverUnion(a, a)).toBe(1);
    expect(intersectionOverUnion(a, { x: 5, y: 5, width: 1, height: 1 })).toBe(0);
    expect(intersectionOverUnion(a, { x: 1, y: 1, width: 2, height: 2 })).toBeCloseTo(1 / 7, 10);
  });
});

describe('suppressNonMaxima', () => {
  it('keeps the highest-scoring of overlapping boxes and every separate one', () => {
    const kept = suppressNonMaxima(
      [
        { box: { x: 0, y: 0, width: 10, height: 10 }, score: 0.7 },
        { box: { x: 1, y: 1, width: 10, height: 10 }, score: 0.9 },
        { box: { x: 50, y: 50, width: 10, height: 10 }, score: 0.6 },
      ],
      { iouThreshold: 0.4 },
    );
    expect(kept.map((k) => k.score)).toEqual([0.9, 0.6]);
  });

  it('with containment, drops a partial box nested in a kept one (a face cut by a tile edge)', () => {
    const whole = { box: { x: 0, y: 0, width: 40, height: 40 }, score: 0.95 };
    const part = { box: { x: 0, y: 0, width: 15, height: 38 }, score: 0.8 };
    expect(suppressNonMaxima([whole, part], { iouThreshold: 0.4 })).toHaveLength(2);
    expect(suppressNonMaxima([whole, part], { iouThreshold: 0.4, containmentThreshold: 0.8 })).toEqual([whole]);
  });
});

describe('estimateSimilarity', () => {
  it('recovers a known rotation, scale and translation exactly', () => {
    const angle = 0.3;
    const s = 1.7;
    const truth: Affine = [s * Math.cos(angle), -s * Math.sin(angle), 12, s * Math.sin(angle), s * Math.cos(angle), -4];
    const from = [
      { x: 10, y: 20 },
      { x: 50, y: 22 },
      { x: 30, y: 40 },
      { x: 14, y: 60 },
      { x: 47, y: 61 },
    ];
    const to = from.map((p) => applyAffine(truth, p));
    const m = estimateSimilarity(from, to);
    m.forEach((v, i) => expect(v).toBeCloseTo(truth[i]!, 9));
  });

  it('never shears: a sheared target gives a least-squares rotation+scale', () => {
    const from = [
      { x: 0, y: 0 },
      { x: 1, y: 0 },
      { x: 0, y: 1 },
      { x: 1, y: 1 },
    ];
    const to = from.map((p) => ({ x: p.x + 0.5 * p.y, y: p.y }));
    const [a, b, , d, e] = estimateSimilarity(from, to);
    expect(a).toBeCloseTo(e, 12);
    expect(b).toBeCloseTo(-d, 12);
  });

  it('inverts', () => {
    const m: Affine = [1.2, -0.4, 5, 0.4, 1.2, -7];
    const p = { x: 3, y: 9 };
    const q = applyAffine(invertAffine(m), applyAffine(m, p));
    expect(q.x).toBeCloseTo(p.x, 10);
    expect(q.y).toBeCloseTo(p.y, 10);
  });
});
