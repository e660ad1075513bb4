// In-memory exact cosine scan over gallery embeddings, reduced to one best score per subject. The eval
// runs the app itself by default (app-identification.ts); this is `--index scan`, a
// dependency-free reference to check the index against.

export type SubjectCandidate = { subject: string; score: number };

export interface SubjectSearch {
  readonly size: number;
  add(subject: string, embedding: Float32Array): Promise<void>;
  search(embedding: Float32Array, top: number, options?: { excludeSubject?: string }): Promise<SubjectCandidate[]>;
  close(): Promise<void>;
}

export function createSubjectSearch(dimension: number): SubjectSearch {
  const subjects: string[] = [];
  let vectors = new Float32Array(1024 * dimension);
  let count = 0;
  return {
    get size() {
      return count;
    },
    async add(subject, embedding) {
      if (embedding.length !== dimension) throw new RangeError(`expected ${dimension}-D embedding`);
      if ((count + 1) * dimension > vectors.length) {
        const grown = new Float32Array(vectors.length * 2);
        grown.set(vectors);
        vectors = grown;
      }
      vectors.set(embedding, count * dimension);
      subjects.push(subject);
      count++;
    },
    async search(embedding, top, options = {}) {
      // Embeddings are L2-normalised, so the dot product is the cosine.
      const best = new Map<string, number>();
      for (let i = 0; i < count; i++) {
        const subject = subjects[i]!;
        if (subject === options.excludeSubject) continue;
        let dot = 0;
        const base = i * dimension;
        for (let d = 0; d < dimension; d++) dot += vectors[base + d]! * embedding[d]!;
        const previous = best.get(subject);
        if (previous === undefined || dot > previous) best.set(subject, dot);
      }
      return [...best.entries()]
        .map(([subject, score]) => ({ subject, score }))
        .sort((a, b) => b.score - a.score)
        .slice(0, top);
    },
    async close() {},
  };
}
