import { describe, expect, it } from 'vitest';
import { fuseEmbeddings, fuseScores } from '@/lib/vision/fuse-probe-faces';

describe('multi-face probes', () => {
  it('embedding fusion is the normalised (weighted) mean', () => {
    const fused = fuseEmbeddings([new Float32Array([1, 0]), new Float32Array([0, 1])]);
    expect(fused[0]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(fused[1]).toBeCloseTo(Math.SQRT1_2, 6);
    const weighted = fuseEmbeddings([new Float32Array([1, 0]), new Float32Array([0, 1])], [3, 1]);
    expect(weighted[0]! / weighted[1]!).toBeCloseTo(3, 5);
    expect(() => fuseEmbeddings([])).toThrow(RangeError);
    expect(() => fuseEmbeddings([new Float32Array(2), new Float32Array(3)])).toThrow(RangeError);
  });

  it('score fusion takes the best face, or the mean with absent subjects at the list floor', () => {
    const a = new Map([['x', 0.6], ['y', 0.2]]);
    const b = new Map([['x', 0.4], ['z', 0.3]]);
    expect(fuseScores([a, b], 'max')).toEqual(new Map([['x', 0.6], ['y', 0.3], ['z', 0.3]]));
    const mean = fuseScores([a, b], 'mean');
    expect(mean.get('x')).toBeCloseTo(0.5, 12);
    expect(mean.get('y')).toBeCloseTo((0.2 + 0.3) / 2, 12);
    expect(mean.get('z')).toBeCloseTo((0.2 + 0.3) / 2, 12);
  });
});
