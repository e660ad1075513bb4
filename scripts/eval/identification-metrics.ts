// ISO/IEC 19795-1 style 1:N figures from per-probe results. Pure so tests can check them on toy data.

export type ProbeOutcome = {
  /** Rank (1-based) of the probe's own subject among candidates, or null when absent or not enrolled. */
  matedRank: number | null;
  matedScore: number | null;
  isMated: boolean;
  /** Highest score of any other subject: what a non-mated search of this probe would have returned. */
  bestNonMatedScore: number | null;
};

export type IdentificationSummary = {
  rank1: number;
  rank10: number;
  fnirAtFpir: { fpir: number; threshold: number | null; fnir: number | null }[];
  fpirSource: 'non-mated probes' | 'mated probes with their own subject removed' | 'none';
};

export function summariseIdentification(outcomes: readonly ProbeOutcome[], fpirTargets: readonly number[]): IdentificationSummary {
  const mated = outcomes.filter((o) => o.isMated);
  const rankAtMost = (r: number) => (mated.length === 0 ? 0 : mated.filter((o) => o.matedRank !== null && o.matedRank <= r).length / mated.length);
  const nonMatedProbes = outcomes.filter((o) => !o.isMated);
  // Closed-set protocols have no non-mated probes; removing each probe's own subject turns every mated search
  // into a non-mated one, the usual way to estimate FPIR from a closed set.
  const useNonMated = nonMatedProbes.length > 0;
  const nonMatedScores = (useNonMated ? nonMatedProbes : mated).map((o) => o.bestNonMatedScore ?? -Infinity).sort((a, b) => b - a);
  const fnirAtFpir = fpirTargets.map((fpir) => {
    if (nonMatedScores.length === 0 || mated.length === 0) return { fpir, threshold: null, fnir: null };
    const allowed = Math.floor(fpir * nonMatedScores.length);
    // Threshold just above the (allowed+1)-th highest non-mated score: at most `allowed` false positives.
    const threshold = allowed < nonMatedScores.length ? nextUp(nonMatedScores[allowed]!) : -Infinity;
    const misses = mated.filter((o) => o.matedScore === null || o.matedScore < threshold).length;
    return { fpir, threshold: Number.isFinite(threshold) ? threshold : null, fnir: misses / mated.length };
  });
  return {
    rank1: rankAtMost(1),
    rank10: rankAtMost(10),
    fnirAtFpir,
    fpirSource: nonMatedScores.length === 0 ? 'none' : useNonMated ? 'non-mated probes' : 'mated probes with their own subject removed',
  };
}

function nextUp(x: number): number {
  return x + Math.max(1e-9, Math.abs(x) * 1e-9);
}

export type VerificationPair = { score: number; isSame: boolean; fold: number };

/** LFW 10-fold: threshold chosen on nine folds, accuracy measured on the tenth. */
export function summariseVerification(pairs: readonly VerificationPair[], farTarget = 1e-3) {
  const folds = [...new Set(pairs.map((p) => p.fold))].sort((a, b) => a - b);
  const accuracies: number[] = [];
  const thresholds: number[] = [];
  for (const fold of folds) {
    const train = pairs.filter((p) => p.fold !== fold);
    const test = pairs.filter((p) => p.fold === fold);
    const threshold = bestThreshold(train.length > 0 ? train : test);
    thresholds.push(threshold);
    accuracies.push(test.filter((p) => (p.score >= threshold) === p.isSame).length / test.length);
  }
  const mean = accuracies.reduce((a, b) => a + b, 0) / accuracies.length;
  const std = Math.sqrt(accuracies.reduce((a, b) => a + (b - mean) ** 2, 0) / accuracies.length);
  const impostors = pairs.filter((p) => !p.isSame).map((p) => p.score).sort((a, b) => b - a);
  const genuine = pairs.filter((p) => p.isSame).map((p) => p.score);
  const allowed = Math.floor(farTarget * impostors.length);
  const farThreshold = allowed < impostors.length ? nextUp(impostors[allowed]!) : -Infinity;
  const tar = genuine.filter((s) => s >= farThreshold).length / Math.max(1, genuine.length);
  return {
    folds: folds.length,
    accuracy: mean,
    accuracyStd: std,
    meanThreshold: thresholds.reduce((a, b) => a + b, 0) / Math.max(1, thresholds.length),
    tarAtFar: { far: farTarget, tar, threshold: Number.isFinite(farThreshold) ? farThreshold : null, impostorPairs: impostors.length },
  };
}

function bestThreshold(pairs: readonly VerificationPair[]): number {
  const sorted = [...pairs].sort((a, b) => a.score - b.score);
  // Sweep thresholds between consecutive scores; start with everything accepted.
  let correct = sorted.filter((p) => p.isSame).length;
  let best = correct;
  let bestT = sorted.length > 0 ? sorted[0]!.score - 1e-6 : 0;
  for (let i = 0; i < sorted.length; i++) {
    correct += sorted[i]!.isSame ? -1 : 1;
    if (correct > best) {
      best = correct;
      const next = sorted[i + 1];
      bestT = next ? (sorted[i]!.score + next.score) / 2 : sorted[i]!.score + 1e-6;
    }
  }
  return bestT;
}

export type HonestyRow = {
  /** The claim checked: the top candidate is described as "about 1 in N" or rarer, i.e. expected FPIR ≤ 1/N. */
  oneIn: number;
  nonMatedSearches: number;
  /** Non-mated searches whose top candidate carried that claim (every one of them is a false positive). */
  claimed: number;
  share: number;
  /** P(X ≥ claimed) for X ~ Binomial(n, 1/N): below 0.05, more claims than honest scores would give. */
  pValue: number;
  isWithinNoise: boolean;
};

/**
 * The honesty check of issue 11: among searches of people not in the gallery, the top candidate is a
 * false positive by construction, so the share described as "1 in N" must not exceed 1/N by more than
 * chance allows.
 */
export function summariseHonesty(topExpectedFpirOfNonMated: readonly (number | null)[], oneIn: readonly number[] = [10, 100, 1000]): HonestyRow[] {
  const n = topExpectedFpirOfNonMated.length;
  return oneIn.map((N) => {
    const claimed = topExpectedFpirOfNonMated.filter((fpir) => fpir !== null && fpir <= 1 / N).length;
    const pValue = binomialUpperTail(n, 1 / N, claimed);
    return { oneIn: N, nonMatedSearches: n, claimed, share: n === 0 ? 0 : claimed / n, pValue, isWithinNoise: pValue >= 0.05 };
  });
}

/** P(X ≥ k) for X ~ Binomial(n, p), summed in log space (n up to a few thousand). */
export function binomialUpperTail(n: number, p: number, k: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  const logP = Math.log(p);
  const logQ = Math.log1p(-p);
  let logCoefficient = 0; // log C(n, 0)
  let tail = 0;
  for (let i = 0; i <= n; i++) {
    if (i > 0) logCoefficient += Math.log(n - i + 1) - Math.log(i);
    if (i >= k) tail += Math.exp(logCoefficient + i * logP + (n - i) * logQ);
  }
  return Math.min(1, tail);
}
