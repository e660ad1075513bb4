import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedVectorIndex } from '@/lib/server/vector/embedded-index';
import { isVectorIndexError, type VectorHit, type VectorPoint } from '@/lib/server/vector/vector-index';
import { seeded } from '../../support/seeded-random';

// The scan pool against the in-thread scan it replaces: the same hits, bit for bit; writes that run
// while worker scans read the shared memory; a worker that dies or hangs; shutdown with scans in flight.

const DIM = 64;
const MODEL = 'pool-test@1';
const CRASHING_WORKER = fileURLToPath(new URL('../../support/crashing-scan-worker.mjs', import.meta.url));

function unit(random: () => number): Float32Array {
  const vector = Float32Array.from({ length: DIM }, random);
  const norm = Math.hypot(...vector);
  return vector.map((value) => value / norm);
}

/** Clustered points so that many scores are close: the int8 pass needs its certificate. */
function makePoints(count: number, watchlistIds: string[], seed: number): VectorPoint[] {
  const random = seeded(seed);
  const centres = Array.from({ length: 8 }, () => unit(random));
  return Array.from({ length: count }, (_, i) => {
    const centre = centres[i % centres.length]!;
    const noise = unit(random);
    const vector = centre.map((value, d) => value + 0.15 * noise[d]!);
    return {
      id: randomUUID(),
      vector,
      payload: { watchlistId: watchlistIds[i % watchlistIds.length]!, subjectId: randomUUID(), enrolledFaceId: randomUUID(), expiresAt: null },
    };
  });
}

const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, value, i) => sum + value * b[i]!, 0);
const normalised = (vector: Float32Array) => {
  const norm = Math.hypot(...vector);
  return vector.map((value) => value / norm);
};

describe('exact scan in a worker pool', () => {
  let root: string;
  let inThread: EmbeddedVectorIndex;
  let pooled: EmbeddedVectorIndex;
  const watchlists = ['wl-a', 'wl-b', 'wl-c'];
  const points = makePoints(6000, watchlists, 7);

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'rfr-scan-pool-'));
    inThread = new EmbeddedVectorIndex({ directory: join(root, 'thread') });
    pooled = new EmbeddedVectorIndex({ directory: join(root, 'pool'), scanWorkers: 2 });
    for (const index of [inThread, pooled]) {
      await index.ensureCollection({ modelId: MODEL, dimension: DIM });
      await index.upsert(MODEL, points);
    }
  });

  afterAll(async () => {
    await inThread?.close();
    await pooled?.close();
    await rm(root, { recursive: true, force: true });
  });

  it('returns exactly the in-thread hits: same ids, same order, same float scores', async () => {
    const random = seeded(99);
    const queries = Array.from({ length: 40 }, () => unit(random));
    const asked = queries.map((vector, q) => ({ vector, limit: [1, 10, 50, 200][q % 4]!, watchlistIds: q % 3 === 0 ? watchlists : ['wl-b'] }));
    const pooledHits = await Promise.all(asked.map((query) => pooled.search(MODEL, query)));
    for (const [q, query] of asked.entries()) {
      const expected = await inThread.search(MODEL, query);
      expect(expected.length).toBe(query.limit);
      // toEqual compares numbers with Object.is: the float scores must be the very same values.
      expect(pooledHits[q]).toEqual(expected);
    }
  });

  it('gives every search a whole gallery while writes change it under concurrent scans', async () => {
    const modelId = 'pool-writes@1';
    const index = new EmbeddedVectorIndex({ directory: join(root, 'writes'), scanWorkers: 2 });
    try {
      await index.ensureCollection({ modelId, dimension: DIM });
      const before = makePoints(3000, ['wl-w'], 11);
      await index.upsert(modelId, before);
      // The same ids with new vectors in batches, then deletions, which move the last rows into the holes:
      // a search that read half of a write, or mapped a row to the id it had after a move, fails below.
      const after = makePoints(3000, ['wl-w'], 12).map((point, i) => ({ ...point, id: before[i]!.id }));
      const steps: { upsert?: VectorPoint[]; remove?: string[] }[] = [];
      for (let start = 0; start < after.length; start += 500) steps.push({ upsert: after.slice(start, start + 500) });
      for (let start = 0; start < 400; start += 100) steps.push({ remove: after.slice(start, start + 100).map((point) => point.id) });

      // Every state the gallery passes through, as id → unit vector.
      const states: Map<string, Float32Array>[] = [new Map(before.map((point) => [point.id, normalised(point.vector)]))];
      for (const step of steps) {
        const next = new Map(states.at(-1)!);
        for (const point of step.upsert ?? []) next.set(point.id, normalised(point.vector));
        for (const id of step.remove ?? []) next.delete(id);
        states.push(next);
      }

      const random = seeded(5);
      const queries = Array.from({ length: 12 }, () => unit(random));
      const searches: { query: number; hits: Promise<VectorHit[]> }[] = [];
      let writing = true;
      const writes = (async () => {
        for (const step of steps) {
          if (step.upsert) await index.upsert(modelId, step.upsert);
          if (step.remove) await index.deleteByIds(modelId, step.remove);
        }
        writing = false;
      })();
      while (writing && searches.length < 400) {
        const query = searches.length % queries.length;
        searches.push({ query, hits: index.search(modelId, { vector: queries[query]!, limit: 20, watchlistIds: ['wl-w'] }) });
        await new Promise((resolve) => setImmediate(resolve));
      }
      await writes;
      expect(searches.length).toBeGreaterThan(steps.length);

      const topScores = (state: Map<string, Float32Array>, query: Float32Array) =>
        [...state.values()].map((vector) => dot(vector, query)).sort((a, b) => b - a).slice(0, 20);
      const expected = queries.map((query) => states.map((state) => topScores(state, query)));
      for (const search of searches) {
        const hits = await search.hits;
        const query = queries[search.query]!;
        // Some one state of the gallery explains the whole result: every hit's score is its vector's
        // score in that state, and the scores are that state's top 20 (float32 against float64: 1e-5).
        const explained = states.some((state, s) =>
          hits.length === 20 &&
          hits.every((hit, rank) => {
            const vector = state.get(hit.id);
            return vector !== undefined && Math.abs(dot(vector, query) - hit.score) < 1e-5 && Math.abs(expected[search.query]![s]![rank]! - hit.score) < 1e-5;
          }),
        );
        expect(explained, `search ${searches.indexOf(search)} matches no single state of the gallery`).toBe(true);
      }
    } finally {
      await index.close();
    }
  });

  it('fails only the search whose worker died, and the next search gets a new worker', async () => {
    const index = new EmbeddedVectorIndex({ directory: join(root, 'crash'), scanWorkers: 1, scanWorkerFile: CRASHING_WORKER });
    try {
      await index.ensureCollection({ modelId: MODEL, dimension: DIM });
      await index.upsert(MODEL, points.slice(0, 2000));
      const query = { vector: points[3]!.vector, watchlistIds: watchlists };
      const crashed = index.search(MODEL, { ...query, limit: 13 });
      const queuedBehind = index.search(MODEL, { ...query, limit: 5 });
      const error = await crashed.then(() => null, (reason: unknown) => reason);
      expect(isVectorIndexError(error, 'UNAVAILABLE')).toBe(true);
      expect(String(error)).toMatch(/the scan worker stopped during the search \(exit code 3\)/);
      const behind = await queuedBehind;
      expect(behind).toHaveLength(5);
      expect(behind[0]!.id).toBe(points[3]!.id);
      expect(await index.search(MODEL, { ...query, limit: 5 })).toEqual(behind);
    } finally {
      await index.close();
    }
  });

  it('stops a stuck scan when its search is abandoned, and carries on', async () => {
    const index = new EmbeddedVectorIndex({ directory: join(root, 'hang'), scanWorkers: 1, scanWorkerFile: CRASHING_WORKER });
    try {
      await index.ensureCollection({ modelId: MODEL, dimension: DIM });
      await index.upsert(MODEL, points.slice(0, 2000));
      const query = { vector: points[8]!.vector, watchlistIds: watchlists };
      const started = Date.now();
      const stuck = await index.search(MODEL, { ...query, limit: 14, signal: AbortSignal.timeout(300) }).then(() => null, (reason: unknown) => reason);
      expect((stuck as Error).name).toBe('TimeoutError');
      expect(Date.now() - started).toBeLessThan(5000);
      const hits = await index.search(MODEL, { ...query, limit: 3 });
      expect(hits[0]!.id).toBe(points[8]!.id);
    } finally {
      await index.close();
    }
  });

  it('lets scans in flight finish on close, then refuses new ones', async () => {
    const index = new EmbeddedVectorIndex({ directory: join(root, 'close'), scanWorkers: 2 });
    await index.ensureCollection({ modelId: MODEL, dimension: DIM });
    await index.upsert(MODEL, points);
    const inFlight: Promise<VectorHit[]>[] = points.slice(0, 6).map((point) => index.search(MODEL, { vector: point.vector, limit: 10, watchlistIds: watchlists }));
    await new Promise((resolve) => setImmediate(resolve));
    const closing = index.close();
    const results = await Promise.all(inFlight);
    await closing;
    results.forEach((hits, i) => expect(hits[0]!.id).toBe(points[i]!.id));
    await expect(index.search(MODEL, { vector: points[0]!.vector, limit: 10, watchlistIds: watchlists })).rejects.toThrow(/closed/);
  });
});
