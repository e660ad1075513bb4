import { describe, expect, it } from 'vitest';
import { binomialUpperTail, summariseHonesty, summariseIdentification, summariseVerification } from '@/scripts/eval/identification-metrics';
import { parseLfwPairs } from '@/scripts/eval/run-verify';

describe('identification metrics', () => {
  it('computes rank-1/rank-10 and FNIR at FPIR from mated searches with their own subject removed', () => {
    const outcomes = [
      { isMated: true, matedRank: 1, matedScore: 0.8, bestNonMatedScore: 0.3 },
      { isMated: true, matedRank: 3, matedScore: 0.5, bestNonMatedScore: 0.6 },
      { isMated: true, matedRank: null, matedScore: null, bestNonMatedScore: 0.2 },
      { isMated: true, matedRank: 1, matedScore: 0.4, bestNonMatedScore: 0.1 },
    ];
    const s = summariseIdentification(outcomes, [0.25]);
    expect(s.rank1).toBe(0.5);
    expect(s.rank10).toBe(0.75);
    expect(s.fpirSource).toBe('mated probes with their own subject removed');
    // One false positive of four allowed → threshold just above 0.3; only the unreturned mate misses.
    expect(s.fnirAtFpir[0]!.threshold).toBeGreaterThan(0.3);
    expect(s.fnirAtFpir[0]!.fnir).toBe(0.25);
  });

  it('10-fold verification picks thresholds on the other folds', () => {
    const pairs = Array.from({ length: 40 }, (_, i) => ({ fold: i % 10, isSame: i % 2 === 0, score: i % 2 === 0 ? 0.7 : 0.1 }));
    const s = summariseVerification(pairs);
    expect(s.accuracy).toBe(1);
    expect(s.tarAtFar.tar).toBe(1);
  });
});

describe('input parsing', () => {
  it('reads LFW pairs into folds', () => {
    const pairs = parseLfwPairs('2 1\nA 1 2\nB 1 C 3\nD 4 5\nE 1 F 2\n');
    expect(pairs.map((p) => [p.fold, p.isSame])).toEqual([[0, true], [0, false], [1, true], [1, false]]);
    expect(pairs[0]!.a).toBe('A/A_0001.jpg');
  });
});

describe('honesty of the calibrated words on non-mated searches', () => {
  it('counts top candidates claimed at 1 in N or rarer and tests the count against Binomial(n, 1/N)', () => {
    // 1,000 non-mated searches; 12 claimed ≤ 1/100, 1 claimed ≤ 1/1000.
    const fpirs: (number | null)[] = [...Array.from({ length: 988 }, () => 0.5), ...Array.from({ length: 11 }, () => 0.005), 0.0005];
    const [ten, hundred, thousand] = summariseHonesty(fpirs);
    expect(ten).toMatchObject({ oneIn: 10, claimed: 12, nonMatedSearches: 1000, isWithinNoise: true });
    expect(hundred!.claimed).toBe(12);
    expect(hundred!.isWithinNoise).toBe(true); // 12 where 10 are expected
    expect(thousand!.claimed).toBe(1);
    // 30 where 10 are expected is not noise.
    const dishonest = summariseHonesty([...Array.from({ length: 970 }, () => 0.5), ...Array.from({ length: 30 }, () => 0.005)], [100]);
    expect(dishonest[0]!.isWithinNoise).toBe(false);
  });

  it('binomial upper tail matches hand-worked values', () => {
    expect(binomialUpperTail(10, 0.5, 0)).toBe(1);
    expect(binomialUpperTail(10, 0.5, 10)).toBeCloseTo(1 / 1024, 12);
    expect(binomialUpperTail(2, 0.1, 1)).toBeCloseTo(1 - 0.81, 12);
    expect(binomialUpperTail(5, 0.1, 6)).toBe(0);
  });
});
