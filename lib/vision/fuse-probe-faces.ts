import { normaliseL2 } from './face-recognizer';

// Several faces an investigator marks as one person (stills or frames of a clip) make one probe. Two
// ways to combine them, measured in BENCHMARKS.md (issue 11 §3): average the embeddings and search once,
// or search each face and combine each gallery person's scores.

/**
 * Embedding fusion: the normalised mean of the faces' (unit) embeddings, optionally weighted (e.g. by a
 * quality score). One search instead of several; faces that agree reinforce each other and the noise of
 * each degraded frame partly cancels.
 */
export function fuseEmbeddings(embeddings: readonly Float32Array[], weights?: readonly number[]): Float32Array {
  if (embeddings.length === 0) throw new RangeError('fuseEmbeddings needs at least one embedding');
  const dimension = embeddings[0]!.length;
  const sum = new Float32Array(dimension);
  embeddings.forEach((embedding, i) => {
    if (embedding.length !== dimension) throw new RangeError('embeddings of different dimensions cannot be fused');
    const w = weights?.[i] ?? 1;
    for (let d = 0; d < dimension; d++) sum[d]! += w * embedding[d]!;
  });
  return normaliseL2(sum);
}

export type ScoreFusion = 'max' | 'mean';

/**
 * Score fusion: each face's candidate list (subject → best score) combined per subject. `max` keeps the
 * best face's score (sensitive, but each extra face is another chance for an impostor to score high);
 * `mean` averages over the faces, counting a subject missing from a face's list at that list's lowest score.
 */
export function fuseScores(lists: readonly ReadonlyMap<string, number>[], how: ScoreFusion): Map<string, number> {
  const fused = new Map<string, number>();
  if (lists.length === 0) return fused;
  const subjects = new Set<string>();
  for (const list of lists) for (const subject of list.keys()) subjects.add(subject);
  const floors = lists.map((list) => Math.min(...list.values()));
  for (const subject of subjects) {
    const scores = lists.map((list, i) => list.get(subject) ?? floors[i]!);
    fused.set(subject, how === 'max' ? Math.max(...scores) : scores.reduce((a, b) => a + b, 0) / scores.length);
  }
  return fused;
}
