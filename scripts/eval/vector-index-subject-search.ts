import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedVectorIndex } from '@/lib/server/vector/embedded-index';
import type { VectorIndex, VectorPoint } from '@/lib/server/vector/vector-index';
import type { SubjectCandidate, SubjectSearch } from './exact-subject-search';

// The gallery goes into the app's own embedded VectorIndex (in a temporary folder, deleted at the end), so
// the evaluation measures the search the app runs, not a re-implementation of it.
// TODO(lead): route enrolment through the app's enrolment service once it exists, as issue 3 asks.

const watchlistId = 'eval-gallery';
const batchSize = 512;
const maxLimit = 1000;

export async function createVectorIndexSubjectSearch(modelId: string, dimension: number): Promise<SubjectSearch> {
  const directory = await mkdtemp(join(tmpdir(), 'rfr-eval-index-'));
  const index: VectorIndex = new EmbeddedVectorIndex({ directory, threads: 1 });
  await index.ensureCollection({ modelId, dimension });
  const imagesPerSubject = new Map<string, number>();
  let pending: VectorPoint[] = [];
  let size = 0;
  const flush = async () => {
    if (pending.length === 0) return;
    await index.upsert(modelId, pending);
    pending = [];
  };
  return {
    get size() {
      return size;
    },
    async add(subject, embedding) {
      pending.push({ id: randomUUID(), vector: embedding, payload: { watchlistId, subjectId: subject, enrolledFaceId: randomUUID(), expiresAt: null } });
      imagesPerSubject.set(subject, (imagesPerSubject.get(subject) ?? 0) + 1);
      size++;
      if (pending.length >= batchSize) await flush();
    },
    async search(embedding, top, options = {}) {
      await flush();
      // Hits are per image; ask for enough that `top` distinct subjects survive the per-subject reduction
      // even when the leading subjects have many gallery images.
      let most = 1;
      for (const n of imagesPerSubject.values()) most = Math.max(most, n);
      const own = options.excludeSubject ? (imagesPerSubject.get(options.excludeSubject) ?? 0) : 0;
      const limit = Math.min(maxLimit, Math.max(1, Math.min(size, top * most + own)));
      const hits = await index.search(modelId, { vector: embedding, limit, watchlistIds: [watchlistId] });
      const best = new Map<string, number>();
      for (const hit of hits) {
        const subject = hit.payload.subjectId;
        if (subject === options.excludeSubject) continue;
        if (!best.has(subject)) best.set(subject, hit.score);
      }
      const out: SubjectCandidate[] = [...best.entries()].map(([subject, score]) => ({ subject, score }));
      return out.sort((a, b) => b.score - a.score).slice(0, top);
    },
    async close() {
      await index.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
