import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFile, copyFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QdrantClient } from '@qdrant/js-client-rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedVectorIndex } from '@/lib/server/vector/embedded-index';
import { quantiseRowInt8 } from '@/lib/server/vector/exact-scan';
import { QdrantVectorIndex } from '@/lib/server/vector/qdrant-index';
import { toCollectionName } from '@/lib/server/vector/validate-vector';
import { isVectorIndexError, type VectorHit, type VectorIndex, type VectorPoint } from '@/lib/server/vector/vector-index';
import { seeded } from '../../support/seeded-random';

// One behavioural contract for every VectorIndex engine. The embedded index always runs (in a temporary
// folder); Qdrant runs when QDRANT_URL points at a server, and the run says loudly when it did not.

const QDRANT_URL = process.env.QDRANT_URL;
const DIM = 24;

type Harness = {
  /** A fresh index over the same store (a new process, as far as the engine can tell). */
  open: () => VectorIndex;
  /** Files that hold this model's vectors, for engines that keep them locally. */
  files?: (modelId: string) => Promise<string[]>;
  cleanup: (modelIds: string[]) => Promise<void>;
};

type Adapter = { name: string; engine: VectorIndex['engine']; enabled: boolean; setUp: () => Promise<Harness> };

const adapters: Adapter[] = [
  {
    name: 'embedded',
    engine: 'embedded',
    enabled: true,
    setUp: async () => {
      const directory = await mkdtemp(join(tmpdir(), 'rfr-vector-contract-'));
      return {
        open: () => new EmbeddedVectorIndex({ directory, compactLogBytes: 64 * 1024 }),
        files: async (modelId) => {
          const folder = join(directory, toCollectionName(modelId));
          return (await readdir(folder)).map((name) => join(folder, name));
        },
        cleanup: async () => rm(directory, { recursive: true, force: true }),
      };
    },
  },
  {
    // The same engine with its scans in worker threads (scan-pool.ts): every behaviour, bit for bit.
    name: 'embedded, scans in a worker pool',
    engine: 'embedded',
    enabled: true,
    setUp: async () => {
      const directory = await mkdtemp(join(tmpdir(), 'rfr-vector-contract-pool-'));
      return {
        open: () => new EmbeddedVectorIndex({ directory, compactLogBytes: 64 * 1024, scanWorkers: 2 }),
        files: async (modelId) => {
          const folder = join(directory, toCollectionName(modelId));
          return (await readdir(folder)).map((name) => join(folder, name));
        },
        cleanup: async () => rm(directory, { recursive: true, force: true }),
      };
    },
  },
  {
    name: 'qdrant',
    engine: 'qdrant',
    enabled: Boolean(QDRANT_URL),
    setUp: async () => ({
      open: () =>
        new QdrantVectorIndex({
          url: QDRANT_URL!,
          apiKey: process.env.QDRANT_API_KEY,
          shards: Number(process.env.QDRANT_SHARDS ?? 1),
          replicationFactor: Number(process.env.QDRANT_REPLICATION_FACTOR ?? 1),
        }),
      cleanup: async (modelIds) => {
        const client = new QdrantClient({ url: QDRANT_URL!, apiKey: process.env.QDRANT_API_KEY, checkCompatibility: false });
        for (const modelId of modelIds) await client.deleteCollection(toCollectionName(modelId)).catch(() => undefined);
      },
    }),
  },
];

if (!QDRANT_URL) {
  console.warn('\n[vector contract] Qdrant contract run SKIPPED: QDRANT_URL is not set. Set QDRANT_URL (and QDRANT_API_KEY) to run it.\n');
}

for (const adapter of adapters) {
  describe.skipIf(!adapter.enabled)(`VectorIndex contract: ${adapter.name}`, () => {
    let harness: Harness;
    let index: VectorIndex;
    const modelIds: string[] = [];
    const newModel = async (dimension = DIM): Promise<string> => {
      const modelId = `contract-${randomUUID().slice(0, 8)}@1.0`;
      modelIds.push(modelId);
      await index.ensureCollection({ modelId, dimension });
      return modelId;
    };

    beforeAll(async () => {
      harness = await adapter.setUp();
      index = harness.open();
    });

    afterAll(async () => {
      await index?.close();
      await harness?.cleanup(modelIds);
    });

    it('reports its engine and health', async () => {
      expect(index.engine).toBe(adapter.engine);
      const health = await index.health();
      expect(health.ok).toBe(true);
    });

    it('creates a collection once and refuses another dimension without overwriting it', async () => {
      const modelId = await newModel();
      await index.ensureCollection({ modelId, dimension: DIM });
      await index.upsert(modelId, makePoints(5, { watchlistId: 'wl-a', seed: 1 }));
      await expect(index.ensureCollection({ modelId, dimension: DIM + 1 })).rejects.toSatisfy((error) =>
        isVectorIndexError(error, 'DIMENSION_MISMATCH'),
      );
      expect(await index.count(modelId)).toBe(5);
    });

    it('refuses operations on a collection that was never created', async () => {
      const missing = `never-created-${randomUUID()}`;
      await expect(index.count(missing)).rejects.toSatisfy((error) => isVectorIndexError(error, 'UNKNOWN_COLLECTION'));
      await expect(
        index.search(missing, { vector: unit(DIM, 1), limit: 5, watchlistIds: ['wl-a'] }),
      ).rejects.toSatisfy((error) => isVectorIndexError(error, 'UNKNOWN_COLLECTION'));
    });

    it('upserts idempotently by id and lists every id', async () => {
      const modelId = await newModel();
      const points = makePoints(40, { watchlistId: 'wl-a', seed: 2 });
      await index.upsert(modelId, points);
      await index.upsert(modelId, points);
      expect(await index.count(modelId)).toBe(40);
      expect((await index.listIds(modelId)).sort()).toEqual(points.map((point) => point.id).sort());

      // A new vector for an existing id replaces the old one.
      const replaced = { ...points[0]!, vector: points[1]!.vector };
      await index.upsert(modelId, [replaced]);
      expect(await index.count(modelId)).toBe(40);
      const hits = await index.search(modelId, { vector: points[1]!.vector, limit: 2, watchlistIds: ['wl-a'] });
      expect(hits.map((hit) => hit.id).sort()).toEqual([points[0]!.id, points[1]!.id].sort());
      expect(hits[0]!.score).toBeCloseTo(1, 4);
      expect(hits[1]!.score).toBeCloseTo(1, 4);
    });

    it('returns the exact top k with cosine scores, best first, as brute force does', async () => {
      const modelId = await newModel();
      const points = [
        ...makePoints(120, { watchlistId: 'wl-a', seed: 3, clusters: 10 }),
        ...makePoints(80, { watchlistId: 'wl-b', seed: 4, clusters: 10 }),
      ];
      await index.upsert(modelId, points);
      for (let q = 0; q < 5; q++) {
        const query = perturb(points[q * 37]!.vector, 0.3, 100 + q);
        const hits = await index.search(modelId, { vector: query, limit: 15, watchlistIds: ['wl-a', 'wl-b'] });
        expectSameAsBruteForce(hits, bruteForce(points, query, 15));
      }
    });

    it('stays exact on a gallery large enough for the quantised scan', async () => {
      // Over 1024 rows in one watch-list, so the embedded engine shortlists with int8 and re-scores.
      const modelId = await newModel(64);
      const points = makePoints(3000, { watchlistId: 'wl-big', seed: 5, clusters: 600, dimension: 64, spread: 0.6 });
      for (let start = 0; start < points.length; start += 1000) await index.upsert(modelId, points.slice(start, start + 1000));
      for (let q = 0; q < 10; q++) {
        const query = perturb(points[q * 211]!.vector, 0.4, 200 + q);
        const hits = await index.search(modelId, { vector: query, limit: 50, watchlistIds: ['wl-big'] });
        expectSameAsBruteForce(hits, bruteForce(points, query, 50));
      }
    });

    it.skipIf(adapter.engine !== 'qdrant')('qdrant: exact: true with int8 quantisation enabled returns the float32 top k', async () => {
      // What Qdrant 1.19's source says (is_quantized_search in lib/segment/src/index/
      // vector_index_search_common.rs): an exact search ignores the quantised vectors and scores every
      // filtered point on its original vector. Checked here on a collection the adapter created with int8
      // scalar quantisation, on a gallery so tight that an int8 ranking could not order it: the scores of
      // neighbouring ranks differ by far less than int8's resolution (~1/127 per component).
      const modelId = await newModel(64);
      const client = new QdrantClient({ url: QDRANT_URL!, apiKey: process.env.QDRANT_API_KEY, checkCompatibility: false });
      const info = await client.getCollection(toCollectionName(modelId));
      expect(info.config.quantization_config).toMatchObject({ scalar: { type: 'int8' } });

      const points = makePoints(2000, { watchlistId: 'wl-tight', seed: 31, clusters: 1, dimension: 64, spread: 0.02 });
      for (let start = 0; start < points.length; start += 500) await index.upsert(modelId, points.slice(start, start + 500));
      for (let q = 0; q < 5; q++) {
        const query = perturb(points[q * 97]!.vector, 0.02, 300 + q);
        const expected = bruteForce(points, query, 30);
        // Neighbouring ranks really are closer than int8 can tell apart.
        expect(expected[0]!.score - expected[29]!.score).toBeLessThan(0.01);
        const hits = await index.search(modelId, { vector: query, limit: 30, watchlistIds: ['wl-tight'] });
        expect(hits).toHaveLength(30);
        const trueScore = new Map(bruteForce(points, query, points.length).map((hit) => [hit.id, hit.score]));
        hits.forEach((hit, rank) => {
          // float32 on the server against float64 here.
          expect(Math.abs(hit.score - expected[rank]!.score)).toBeLessThan(2e-6);
          expect(Math.abs(hit.score - trueScore.get(hit.id)!)).toBeLessThan(2e-6);
        });
      }
    });

    it('searches only the watch-lists asked for', async () => {
      const modelId = await newModel();
      const a = makePoints(30, { watchlistId: 'wl-a', seed: 6 });
      const b = makePoints(30, { watchlistId: 'wl-b', seed: 7 });
      const c = makePoints(30, { watchlistId: 'wl-c', seed: 8 });
      await index.upsert(modelId, [...a, ...b, ...c]);
      const query = b[3]!.vector;
      const onlyA = await index.search(modelId, { vector: query, limit: 50, watchlistIds: ['wl-a'] });
      expect(onlyA).toHaveLength(30);
      expect(onlyA.every((hit) => hit.payload.watchlistId === 'wl-a')).toBe(true);
      const aAndC = await index.search(modelId, { vector: query, limit: 100, watchlistIds: ['wl-a', 'wl-c'] });
      expect(aAndC).toHaveLength(60);
      expect(aAndC.some((hit) => hit.payload.watchlistId === 'wl-b')).toBe(false);
      expect(await index.search(modelId, { vector: query, limit: 10, watchlistIds: [] })).toEqual([]);
      expect(await index.search(modelId, { vector: query, limit: 10, watchlistIds: ['no-such-list'] })).toEqual([]);
      const withB = await index.search(modelId, { vector: query, limit: 1, watchlistIds: ['wl-b'] });
      expect(withB[0]!.id).toBe(b[3]!.id);
      expect(withB[0]!.payload).toEqual(b[3]!.payload);
    });

    it('applies minScore', async () => {
      const modelId = await newModel();
      const points = makePoints(60, { watchlistId: 'wl-a', seed: 9, clusters: 6 });
      await index.upsert(modelId, points);
      const hits = await index.search(modelId, { vector: points[0]!.vector, limit: 50, watchlistIds: ['wl-a'], minScore: 0.5 });
      const expected = bruteForce(points, points[0]!.vector, 60).filter((hit) => hit.score >= 0.5);
      expect(hits.length).toBe(Math.min(50, expected.length));
      expect(hits.every((hit) => hit.score >= 0.5)).toBe(true);
    });

    it('counts per watch-list and deletes by id and by watch-list', async () => {
      const modelId = await newModel();
      const a = makePoints(25, { watchlistId: 'wl-a', seed: 10 });
      const b = makePoints(15, { watchlistId: 'wl-b', seed: 11 });
      await index.upsert(modelId, [...a, ...b]);
      expect(await index.count(modelId)).toBe(40);
      expect(await index.count(modelId, { watchlistIds: ['wl-a'] })).toBe(25);
      expect(await index.count(modelId, { watchlistIds: ['wl-a', 'wl-b'] })).toBe(40);
      expect(await index.count(modelId, { watchlistIds: [] })).toBe(0);

      const erased = a.slice(0, 5).map((point) => point.id);
      await index.deleteByIds(modelId, [...erased, randomUUID()]); // an unknown id is not an error
      await index.deleteByIds(modelId, erased); // nor is deleting twice
      expect(await index.count(modelId, { watchlistIds: ['wl-a'] })).toBe(20);
      const ids = new Set(await index.listIds(modelId));
      expect(erased.some((id) => ids.has(id))).toBe(false);
      const hits = await index.search(modelId, { vector: a[0]!.vector, limit: 50, watchlistIds: ['wl-a'] });
      expect(hits.some((hit) => erased.includes(hit.id))).toBe(false);

      await index.deleteByWatchlist(modelId, 'wl-b');
      expect(await index.count(modelId, { watchlistIds: ['wl-b'] })).toBe(0);
      expect(await index.count(modelId)).toBe(20);
      await index.deleteByWatchlist(modelId, 'wl-b');
      expect(await index.search(modelId, { vector: b[0]!.vector, limit: 5, watchlistIds: ['wl-b'] })).toEqual([]);
    });

    it('moves a point when it is upserted into another watch-list', async () => {
      const modelId = await newModel();
      const points = makePoints(10, { watchlistId: 'wl-a', seed: 12 });
      await index.upsert(modelId, points);
      const moved = { ...points[2]!, payload: { ...points[2]!.payload, watchlistId: 'wl-b' } };
      await index.upsert(modelId, [moved]);
      expect(await index.count(modelId, { watchlistIds: ['wl-a'] })).toBe(9);
      expect(await index.count(modelId, { watchlistIds: ['wl-b'] })).toBe(1);
      const hits = await index.search(modelId, { vector: moved.vector, limit: 1, watchlistIds: ['wl-a', 'wl-b'] });
      expect(hits[0]).toMatchObject({ id: moved.id, payload: { watchlistId: 'wl-b' } });
    });

    it('refuses bad vectors and ids, and writes nothing from a batch that holds one', async () => {
      const modelId = await newModel();
      const good = makePoints(3, { watchlistId: 'wl-a', seed: 13 });
      await index.upsert(modelId, good);
      const withNaN = unit(DIM, 14);
      withNaN[3] = Number.NaN;
      const withInfinity = unit(DIM, 15);
      withInfinity[0] = Number.POSITIVE_INFINITY;
      const badVectors: unknown[] = [withNaN, withInfinity, new Float32Array(DIM), unit(DIM + 1, 16), Array.from(unit(DIM, 17))];
      for (const vector of badVectors) {
        const batch = [...makePoints(2, { watchlistId: 'wl-a', seed: 18 }), { ...good[0]!, id: randomUUID(), vector: vector as Float32Array }];
        await expect(index.upsert(modelId, batch)).rejects.toSatisfy((error) => isVectorIndexError(error, 'INVALID_VECTOR'));
        await expect(index.search(modelId, { vector: vector as Float32Array, limit: 5, watchlistIds: ['wl-a'] })).rejects.toSatisfy(
          (error) => isVectorIndexError(error, 'INVALID_VECTOR'),
        );
      }
      await expect(index.upsert(modelId, [{ ...good[0]!, id: 'not-a-uuid' }])).rejects.toSatisfy((error) =>
        isVectorIndexError(error, 'INVALID_INPUT'),
      );
      await expect(index.search(modelId, { vector: good[0]!.vector, limit: 0, watchlistIds: ['wl-a'] })).rejects.toSatisfy((error) =>
        isVectorIndexError(error, 'INVALID_INPUT'),
      );
      expect(await index.count(modelId)).toBe(3);
    });

    it('keeps everything across close and reopen', async () => {
      const modelId = await newModel();
      const points = [...makePoints(50, { watchlistId: 'wl-a', seed: 19 }), ...makePoints(20, { watchlistId: 'wl-b', seed: 20 })];
      await index.upsert(modelId, points);
      await index.deleteByIds(modelId, [points[0]!.id]);
      const query = perturb(points[7]!.vector, 0.2, 21);
      const before = await index.search(modelId, { vector: query, limit: 10, watchlistIds: ['wl-a', 'wl-b'] });
      await index.close();
      index = harness.open();
      expect(await index.count(modelId)).toBe(69);
      expect(await index.count(modelId, { watchlistIds: ['wl-b'] })).toBe(20);
      const after = await index.search(modelId, { vector: query, limit: 10, watchlistIds: ['wl-a', 'wl-b'] });
      expect(after.map((hit) => hit.id)).toEqual(before.map((hit) => hit.id));
      after.forEach((hit, i) => expect(hit.score).toBeCloseTo(before[i]!.score, 5));
      await expect(index.ensureCollection({ modelId, dimension: DIM + 3 })).rejects.toSatisfy((error) =>
        isVectorIndexError(error, 'DIMENSION_MISMATCH'),
      );
    });

    it.skipIf(adapter.engine !== 'embedded')('erasure compacts: the erased vectors leave the disk', async () => {
      const modelId = await newModel();
      const points = makePoints(200, { watchlistId: 'wl-a', seed: 22 });
      const other = makePoints(20, { watchlistId: 'wl-b', seed: 23 });
      await index.upsert(modelId, [...points, ...other]);
      const erased = points.slice(0, 150);
      const sizeBefore = await totalSize(await harness.files!(modelId));
      expect(await filesContainAny(await harness.files!(modelId), erased)).toBe(true);

      await index.deleteByIds(modelId, erased.map((point) => point.id));
      const sizeAfter = await totalSize(await harness.files!(modelId));
      expect(sizeAfter).toBeLessThan(sizeBefore);
      expect(await filesContainAny(await harness.files!(modelId), erased)).toBe(false);
      expect(await filesContainAny(await harness.files!(modelId), points.slice(150))).toBe(true);

      await index.deleteByWatchlist(modelId, 'wl-b');
      expect(await filesContainAny(await harness.files!(modelId), other)).toBe(false);
      expect(await index.count(modelId)).toBe(50);
    });

    it.skipIf(adapter.engine !== 'embedded')('does not replay a log that a compaction already folded in', async () => {
      const modelId = await newModel();
      const points = makePoints(30, { watchlistId: 'wl-a', seed: 24 });
      await index.upsert(modelId, points.slice(0, 20));
      await index.upsert(modelId, points.slice(20));
      const logFile = (await harness.files!(modelId)).find((file) => file.endsWith('.log'))!;
      expect(logFile).toBeDefined();
      // Kept from before a deletion compacted it away, then put back as if a crash had come between the
      // snapshot rename and the unlink. Replaying it would bring the erased point back.
      const staleCopy = `${logFile}.copy`;
      await copyFile(logFile, staleCopy);
      await index.deleteByIds(modelId, [points[0]!.id]);
      await index.close();
      await copyFile(staleCopy, logFile);
      await rm(staleCopy);
      await writeFile(logFile.replace(/\.log$/, '.seg.tmp'), Buffer.from('half a snapshot'));

      index = harness.open();
      expect(await index.count(modelId)).toBe(29);
      expect(await index.listIds(modelId)).not.toContain(points[0]!.id);
      expect((await harness.files!(modelId)).some((file) => file.endsWith('.tmp') || file.endsWith('.log'))).toBe(false);
    });

    it.skipIf(adapter.engine !== 'embedded')('drops a torn log tail and keeps appending after it', async () => {
      const modelId = await newModel();
      await index.upsert(modelId, makePoints(10, { watchlistId: 'wl-a', seed: 25 }));
      await index.close();
      const logFile = (await harness.files!(modelId)).find((file) => file.endsWith('.log'))!;
      // A record header that promises more bytes than were written: a crash mid-append.
      await appendFile(logFile, Buffer.from([200, 1, 0, 0, 7, 7, 7, 7, 1, 2, 3]));

      index = harness.open();
      expect(await index.count(modelId)).toBe(10);
      await index.upsert(modelId, makePoints(5, { watchlistId: 'wl-a', seed: 26 }));
      await index.close();
      index = harness.open();
      expect(await index.count(modelId)).toBe(15);
    });

    it.skipIf(adapter.engine !== 'embedded')('loses no acknowledged write when the writing process is killed', async () => {
      const modelId = await newModel();
      await index.close();
      const directory = join((await harness.files!(modelId))[0]!, '..', '..');
      const live = new Set<string>();
      const erased = new Set<string>();
      // Several kills at different moments, each followed by recovery in the next writer.
      for (const writesBeforeKill of [3, 6, 9]) {
        const log = await runUntilKilled(directory, modelId, writesBeforeKill);
        log.acked.forEach((id) => live.add(id));
        // A delete the kill interrupted may or may not have become durable: either state is allowed,
        // so those points leave the set that must survive without joining the set that must be gone.
        log.erasing.forEach((id) => live.delete(id));
        log.erased.forEach((id) => {
          live.delete(id);
          erased.add(id);
        });
      }
      index = harness.open();
      const ids = new Set(await index.listIds(modelId));
      expect(live.size).toBeGreaterThan(100);
      expect([...live].filter((id) => !ids.has(id))).toEqual([]);
      expect([...erased].filter((id) => ids.has(id))).toEqual([]);
      expect(ids.size).toBe(await index.count(modelId));
    });

    it.skipIf(adapter.engine !== 'embedded')('lets one index at a time own a folder', async () => {
      await newModel();
      const second = harness.open();
      await expect(second.listIds(modelIds[0]!)).rejects.toSatisfy((error) => isVectorIndexError(error, 'UNAVAILABLE'));
      expect((await second.health()).ok).toBe(false);
      await second.close();
      expect((await index.health()).ok).toBe(true);
    });
  });
}

// ---------- helpers ----------

function unit(dimension: number, seed: number): Float32Array {
  const random = seeded(seed);
  const vector = Float32Array.from({ length: dimension }, () => random());
  const norm = Math.hypot(...vector);
  return vector.map((value) => value / norm);
}

function perturb(vector: Float32Array, amount: number, seed: number): Float32Array {
  const noise = unit(vector.length, seed);
  return vector.map((value, i) => value + amount * noise[i]!);
}

function makePoints(
  count: number,
  options: { watchlistId: string; seed: number; clusters?: number; dimension?: number; spread?: number },
): VectorPoint[] {
  const dimension = options.dimension ?? DIM;
  const clusters = options.clusters ?? count;
  const centres = Array.from({ length: clusters }, (_, i) => unit(dimension, options.seed * 10_000 + i));
  return Array.from({ length: count }, (_, i) => ({
    id: randomUUID(),
    vector: perturb(centres[i % clusters]!, options.spread ?? 0.5, options.seed * 10_000 + 5_000 + i),
    payload: {
      watchlistId: options.watchlistId,
      subjectId: `subject-${options.seed}-${i % clusters}`,
      enrolledFaceId: `face-${options.seed}-${i}`,
      expiresAt: i % 2 === 0 ? null : '2030-01-01T00:00:00.000Z',
    },
  }));
}

function bruteForce(points: VectorPoint[], query: Float32Array, limit: number): { id: string; score: number }[] {
  const norm = (vector: Float32Array) => Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
  const queryNorm = norm(query);
  return points
    .map((point) => ({
      id: point.id,
      score: point.vector.reduce((sum, value, i) => sum + value * query[i]!, 0) / (norm(point.vector) * queryNorm),
    }))
    .sort((a, b) => b.score - a.score)
    .slice(0, limit);
}

function expectSameAsBruteForce(hits: VectorHit[], expected: { id: string; score: number }[]): void {
  expect(hits).toHaveLength(expected.length);
  hits.forEach((hit, i) => {
    expect(hit.score).toBeCloseTo(expected[i]!.score, 4);
    if (i > 0) expect(hit.score).toBeLessThanOrEqual(hits[i - 1]!.score);
  });
  // Same set; the order may differ only between scores equal to float precision.
  expect(new Set(hits.map((hit) => hit.id))).toEqual(new Set(expected.map((hit) => hit.id)));
}

async function totalSize(files: string[]): Promise<number> {
  let total = 0;
  for (const file of files) total += (await stat(file)).size;
  return total;
}

/** Whether any file holds any of these vectors as stored: unit length in float32, or its int8 copy. */
async function filesContainAny(files: string[], points: VectorPoint[]): Promise<boolean> {
  const contents = await Promise.all(files.map((file) => readFile(file)));
  return points.some((point) => {
    const norm = Math.sqrt(point.vector.reduce((sum, value) => sum + value * value, 0));
    const stored = Float32Array.from(point.vector, (value) => value / norm);
    const int8 = new Int8Array(stored.length);
    quantiseRowInt8(stored, 0, int8, 0, stored.length);
    const needles = [Buffer.from(stored.buffer), Buffer.from(int8.buffer)];
    return contents.some((content) => needles.some((needle) => content.includes(needle)));
  });
}

/** Runs a child process that writes until it is SIGKILLed; returns the writes it had acknowledged. */
async function runUntilKilled(
  directory: string,
  modelId: string,
  writesBeforeKill: number,
): Promise<{ acked: string[]; erasing: string[]; erased: string[] }> {
  const script = fileURLToPath(new URL('./upsert-until-killed.ts', import.meta.url));
  const child = spawn(process.execPath, ['--conditions=react-server', '--import', 'tsx', script, directory, modelId, String(DIM)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const result = { acked: [] as string[], erasing: [] as string[], erased: [] as string[] };
  let writes = 0;
  let buffered = '';
  await new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', () => resolve());
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const [kind, ids] = line.split(' ');
        if (kind === 'acked') result.acked.push(...ids!.split(','));
        else if (kind === 'erasing') {
          result.erasing.push(...ids!.split(','));
          continue;
        } else if (kind === 'erased') result.erased.push(...ids!.split(','));
        else continue;
        writes++;
        if (writes === writesBeforeKill) child.kill('SIGKILL');
      }
    });
  });
  return result;
}
