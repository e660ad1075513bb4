import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '@/lib/server/db/database';
import { markSubjectForErasure } from '@/lib/server/gallery/erase-faces';
import { syncVectorIndex } from '@/lib/server/gallery/sync-vector-index';
import { placeLegalHold, releaseLegalHold } from '@/lib/server/retention/legal-hold';
import { DEFAULT_RETENTION_POLICY, readRetentionPolicy, writeRetentionPolicy } from '@/lib/server/retention/retention-policy';
import { runRetention } from '@/lib/server/retention/run-retention';
import { authorizeFaceSearch, runFaceSearch } from '@/lib/server/search/run-face-search';
import { readSearchPolicy } from '@/lib/server/settings/search-policy';
import { CropStore } from '@/lib/server/storage/crop-store';
import { PackStore } from '@/lib/server/storage/pack-store';
import { EmbeddedVectorIndex } from '@/lib/server/vector/embedded-index';
import { QdrantVectorIndex } from '@/lib/server/vector/qdrant-index';
import type { VectorIndex } from '@/lib/server/vector/vector-index';
import { embeddingToBytes } from '@/lib/server/gallery/embedding-bytes';
import { AppError } from '@/lib/shared/errors';
import { runSearchSchema } from '@/lib/shared/schemas/search';
import { createThrowawayPostgres, openMemoryDatabase, type ThrowawayPostgres } from '../../support/test-database';
import { buildRetentionWorld, countKeptRecords, expectRetentionOutcome, listCropFiles, type RetentionWorld } from './retention-world';

// Retention end to end, in process: the default policy on a world with something in every situation,
// on a real PostgreSQL engine (in-memory PGlite always, the machine's PostgreSQL when it answers) with
// the real embedded index (and Qdrant when QDRANT_URL is set) and a crop store in a temporary folder.

const QDRANT_URL = process.env.QDRANT_URL;
if (!QDRANT_URL) {
  console.warn('\n[retention] Qdrant retention run SKIPPED: QDRANT_URL is not set. Set QDRANT_URL (and QDRANT_API_KEY) to run it.\n');
}

type Engine = { name: string; open: () => Promise<{ database: Database; cleanup: () => Promise<void> } | null> };

let postgres: ThrowawayPostgres | null | undefined;
const engines: Engine[] = [
  { name: 'PGlite', open: async () => ({ database: await openMemoryDatabase(), cleanup: async () => {} }) },
  {
    name: 'PostgreSQL',
    open: async () => {
      postgres ??= await createThrowawayPostgres();
      if (!postgres) return null;
      return { database: await openDatabase({ databaseUrl: postgres.url }), cleanup: async () => {} };
    },
  },
];
afterAll(async () => postgres?.drop());

const calibrate = () => ({ tableId: 'test-table', calibrate: () => ({ falseMatchRate: 1e-5, expectedFpir: 1e-3 }) });

for (const engine of engines) {
  describe(`retention on ${engine.name}`, () => {
    let database: Database | null = null;
    let index: VectorIndex;
    let crops: CropStore;
    let packs: PackStore;
    let dataDir: string;
    let world: RetentionWorld;

    beforeAll(async () => {
      const opened = await engine.open();
      if (!opened) return;
      database = opened.database;
      dataDir = mkdtempSync(join(tmpdir(), 'rfr-retention-'));
      index = new EmbeddedVectorIndex({ directory: join(dataDir, 'vectors') });
      crops = new CropStore(join(dataDir, 'crops'));
      packs = new PackStore(dataDir);
      world = await buildRetentionWorld({ prisma: database.prisma, crops, index, packs });
    }, 120_000);

    afterAll(async () => {
      await index?.close();
      await database?.close();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    });

    it('deletes what has expired from the database, the disk and the index, and nothing else', async (context) => {
      if (!database) return context.skip();
      const { prisma } = database;
      expect(database.driver.engine).toBe(engine.name === 'PGlite' ? 'pglite' : 'postgresql');
      const before = await countKeptRecords(prisma, world);
      const expiredVector = world.faces.expired[3]!.vector;
      // Indexed while live: the index itself still returns the expired face until retention runs.
      expect((await index.search(world.modelId, { vector: expiredVector, limit: 3, watchlistIds: [world.watchlistId] }))[0]!.payload.enrolledFaceId).toBe(world.faces.expired[3]!.id);

      const report = await runRetention({ prisma, index, crops, packs, batchSize: 3 });
      expect(report).toMatchObject({ deletedCases: 1, expiredFaces: world.faces.expired.length, removedFromIndex: world.faces.expired.length + 2 });
      await expectRetentionOutcome({ prisma, index, cropsRoot: join(dataDir, 'crops'), dataDir }, world, before);

      // Every deletion is recorded with ids, never content: no names, references or statements.
      const events = await prisma.auditEvent.findMany({ where: { OR: [{ action: { startsWith: 'retention.' } }, { action: 'gallery.purge' }] } });
      const caseEvent = events.find((event) => event.action === 'retention.delete_case');
      expect(caseEvent).toMatchObject({ targetType: 'case', targetId: world.cases.closedOld.caseId });
      const recorded = JSON.stringify(events.map((event) => event.payload));
      expect(recorded).not.toMatch(/Subject \d|RET\/|Both reviewers|Test rationale|Civil claim/);
      for (const searchId of world.cases.openNoLead.searchIds) expect(recorded.split(searchId).length - 1).toBe(1);

      // Idempotent: a second run finds nothing and writes nothing.
      const sequence = (await prisma.auditEvent.count());
      const again = await runRetention({ prisma, index, crops, packs });
      expect(Object.values(again).every((count) => count === 0)).toBe(true);
      expect(await prisma.auditEvent.count()).toBe(sequence);
    });

    it('no longer returns an expired face from the index or from a search', async (context) => {
      if (!database) return context.skip();
      const { prisma } = database;
      for (const face of world.faces.expired) {
        const hits = await index.search(world.modelId, { vector: face.vector, limit: 20, watchlistIds: [world.watchlistId] });
        expect(hits.map((hit) => hit.payload.enrolledFaceId)).not.toContain(face.id);
      }
      const expired = world.faces.expired[0]!;
      const live = world.faces.live[0]!;
      const search = async (vector: Float32Array) => {
        const probe = await prisma.probe.findFirstOrThrow({ where: { caseId: world.cases.openFresh.caseId } });
        const face = await prisma.probeFace.create({
          data: { probeId: probe.id, box: {}, landmarks: [], quality: {}, qualityVerdict: 'good', cropKey: 'probe/none.png', cropSha256: 'x', modelId: world.modelId, embedding: embeddingToBytes(vector) },
        });
        const input = runSearchSchema.parse({ probeFaceId: face.id, watchlistIds: [world.watchlistId] });
        return prisma.$transaction(async (tx) => {
          const policy = await readSearchPolicy(tx);
          const target = await authorizeFaceSearch(tx, world.investigator, input, policy);
          const outcome = await runFaceSearch({ tx, actor: world.investigator, input, target, policy, index, calibrate });
          return tx.candidate.findMany({ where: { searchId: outcome.searchId }, orderBy: { rank: 'asc' }, select: { enrolledFaceId: true } });
        });
      };
      expect((await search(live.vector))[0]!.enrolledFaceId).toBe(live.id);
      expect((await search(expired.vector)).map((candidate) => candidate.enrolledFaceId)).not.toContain(expired.id);
    });

    it('keeps everything of a held case until the hold is released, then deletes it', async (context) => {
      if (!database) return context.skip();
      const { prisma } = database;
      const held = world.cases.closedHeld.caseId;
      await expect(prisma.$transaction((tx) => placeLegalHold(tx, world.supervisor, { caseId: held, reason: 'Another hold on the same case' }))).rejects.toMatchObject({ code: 'CONFLICT' });
      await expect(prisma.$transaction((tx) => placeLegalHold(tx, world.supervisor, { caseId: crypto.randomUUID(), reason: 'No such case at all' }))).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(await runRetention({ prisma, index, crops })).toMatchObject({ deletedCases: 0 });
      expect(await prisma.case.count({ where: { id: held } })).toBe(1);

      const released = await prisma.$transaction((tx) => releaseLegalHold(tx, world.supervisor, { caseId: held, reason: 'The claim was settled' }));
      expect(released.released).toMatchObject({ heldReason: 'Civil claim pending against the force', heldById: world.supervisor.id });
      await expect(prisma.$transaction((tx) => releaseLegalHold(tx, world.supervisor, { caseId: held, reason: 'Released twice over' }))).rejects.toBeInstanceOf(AppError);

      const evidenceKeys = (await prisma.candidate.findMany({ where: { search: { caseId: held } }, select: { evidenceCropKey: true } })).map((row) => row.evidenceCropKey).filter(Boolean);
      expect(evidenceKeys.length).toBe(2);
      expect(await runRetention({ prisma, index, crops })).toMatchObject({ deletedCases: 1 });
      expect(await prisma.case.count({ where: { id: held } })).toBe(0);
      // Its evidence copies went with it.
      const files = await listCropFiles(join(dataDir, 'crops'));
      for (const key of evidenceKeys) expect(files.keys).not.toContain(key);
    });
  });
}

describe('a disclosed candidate and erasure', () => {
  let database: Database;
  let dataDir: string;
  let index: VectorIndex;
  let crops: CropStore;
  beforeAll(async () => {
    database = await openMemoryDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'rfr-evidence-'));
    index = new EmbeddedVectorIndex({ directory: join(dataDir, 'vectors') });
    crops = new CropStore(join(dataDir, 'crops'));
  }, 60_000);
  afterAll(async () => {
    await index?.close();
    await database?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('takes the face out of every search at once and keeps the crop with the case', async () => {
    const world = await buildRetentionWorld({ prisma: database.prisma, crops, index }, { bulk: 0 });
    const { prisma } = database;
    // A second subject with a disclosed candidate, erased through the path the admin action takes
    // (mark in the action's transaction, then the index sync with the crop store).
    const face = world.faces.live[3]!;
    const candidate = await prisma.candidate.findFirstOrThrow({ where: { enrolledFaceId: face.id, search: { caseId: world.cases.openLead.caseId } } });
    await prisma.disclosure.create({ data: { candidateId: candidate.id, requestedById: world.investigator.id, statement: 'Put forward', status: 'approved', decidedById: world.supervisor.id, decidedAt: new Date() } });
    await prisma.$transaction((tx) => markSubjectForErasure(tx, face.subjectId));
    expect(await prisma.enrolledFace.count({ where: { id: face.id, indexState: 'indexed' } })).toBe(0);

    await syncVectorIndex(prisma, index, crops);
    expect(await index.listIds(world.modelId)).not.toContain(face.vectorPointId);
    const after = await prisma.candidate.findUniqueOrThrow({ where: { id: candidate.id }, select: { evidenceCropKey: true } });
    expect(after.evidenceCropKey).toBe(`evidence/${face.cropSha256}.png`);
    expect((await crops.read(after.evidenceCropKey!)).byteLength).toBeGreaterThan(0);
    // The gallery's own crop is gone, and the face keeps no embedding.
    await expect(crops.read(face.cropKey)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await prisma.enrolledFace.findUniqueOrThrow({ where: { id: face.id }, select: { embedding: true } })).toMatchObject({ embedding: new Uint8Array(0) });
    // The world's own erasures went in the same pass; the audit record names this one too.
    const purge = await prisma.auditEvent.findFirstOrThrow({ where: { action: 'gallery.purge' }, orderBy: { sequence: 'desc' } });
    expect(purge.payload).toMatchObject({
      enrolledFaceIds: expect.arrayContaining([face.id]),
      evidenceCopies: expect.arrayContaining([{ candidateId: candidate.id, enrolledFaceId: face.id }]),
    });
  });
});

describe('the retention policy setting', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openMemoryDatabase();
  }, 60_000);
  afterAll(async () => database?.close());

  it('has defaults, validates what is written, and falls back to the defaults on a malformed value', async () => {
    const { prisma } = database;
    expect(await readRetentionPolicy(prisma)).toEqual({ probeDays: 31, searchDays: 365, closedCaseDays: 2190, auditDays: null });
    const written = await prisma.$transaction((tx) => writeRetentionPolicy(tx, { probeDays: 90, closedCaseDays: null, auditDays: 3650 }));
    expect(written).toEqual({ previous: DEFAULT_RETENTION_POLICY, policy: { probeDays: 90, searchDays: 365, closedCaseDays: null, auditDays: 3650 } });
    expect(await readRetentionPolicy(prisma)).toEqual(written.policy);
    // The audit log is never kept less than a year, and periods are whole days.
    await expect(prisma.$transaction((tx) => writeRetentionPolicy(tx, { auditDays: 30 }))).rejects.toThrow();
    await expect(prisma.$transaction((tx) => writeRetentionPolicy(tx, { probeDays: 0.5 }))).rejects.toThrow();
    await prisma.setting.update({ where: { key: 'retention.policy' }, data: { value: { probeDays: 'soon' } } });
    expect(await readRetentionPolicy(prisma)).toEqual(DEFAULT_RETENTION_POLICY);
  });

  it('keeps a kind for ever when its period is null', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rfr-policy-'));
    const index = new EmbeddedVectorIndex({ directory: join(dataDir, 'vectors') });
    const crops = new CropStore(join(dataDir, 'crops'));
    try {
      const world = await buildRetentionWorld({ prisma: database.prisma, crops, index }, { bulk: 0 });
      const report = await runRetention({ prisma: database.prisma, index, crops, policy: { probeDays: null, searchDays: null, closedCaseDays: null, auditDays: null } });
      expect(report).toMatchObject({ deletedCases: 0, deletedSearches: 0, deletedProbeFaces: 0, purgedProbeFaces: 0, deletedProbes: 0 });
      expect(await database.prisma.case.count({ where: { id: world.cases.closedOld.caseId } })).toBe(1);
      // Enrolled faces follow their watch-list's period, not this policy.
      expect(report.expiredFaces).toBe(world.faces.expired.length);
    } finally {
      await index.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!QDRANT_URL)('retention with Qdrant', () => {
  it('removes expired faces from the Qdrant collection, so no search returns them', async () => {
    const database = await openMemoryDatabase();
    const dataDir = mkdtempSync(join(tmpdir(), 'rfr-retention-qdrant-'));
    const index = new QdrantVectorIndex({ url: QDRANT_URL!, apiKey: process.env.QDRANT_API_KEY, shards: 1, replicationFactor: 1 });
    try {
      const crops = new CropStore(join(dataDir, 'crops'));
      const world = await buildRetentionWorld({ prisma: database.prisma, crops, index }, { bulk: 0 });
      const before = await countKeptRecords(database.prisma, world);
      await runRetention({ prisma: database.prisma, index, crops });
      await expectRetentionOutcome({ prisma: database.prisma, index, cropsRoot: join(dataDir, 'crops') }, world, before);
    } finally {
      await index.close();
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('a legal hold placed while the sweep runs (PostgreSQL)', () => {
  let throwaway: ThrowawayPostgres | null = null;
  let database: Database | null = null;
  let dataDir: string;
  let index: VectorIndex;
  afterAll(async () => {
    await index?.close();
    await database?.close();
    await throwaway?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('makes the sweep wait for the hold, and then keep the case', async (context) => {
    throwaway = await createThrowawayPostgres();
    if (!throwaway) return context.skip();
    database = await openDatabase({ databaseUrl: throwaway.url });
    dataDir = mkdtempSync(join(tmpdir(), 'rfr-hold-race-'));
    index = new EmbeddedVectorIndex({ directory: join(dataDir, 'vectors') });
    const crops = new CropStore(join(dataDir, 'crops'));
    const { prisma } = database;
    const world = await buildRetentionWorld({ prisma, crops, index }, { bulk: 0 });
    const caseId = world.cases.closedOld.caseId;
    const searchesBefore = await prisma.search.count({ where: { caseId } });

    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const holding = prisma.$transaction(
      async (tx) => {
        await placeLegalHold(tx, world.supervisor, { caseId, reason: 'Complaint received about this case' });
        await gate;
      },
      { timeout: 30_000 },
    );
    const sweeping = runRetention({ prisma, index, crops });
    // Until the hold commits, the sweep's deletion of the case waits on the case's row lock.
    for (let attempt = 0; ; attempt += 1) {
      const waiting = await prisma.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted`;
      if (waiting[0]!.n > 0) break;
      if (attempt > 200) throw new Error('the sweep never waited for the hold');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await prisma.search.count({ where: { caseId } })).toBe(searchesBefore);
    release();
    await holding;
    const report = await sweeping;
    expect(report.deletedCases).toBe(0);
    expect(await prisma.case.findUniqueOrThrow({ where: { id: caseId }, select: { legalHoldReason: true } })).toEqual({ legalHoldReason: 'Complaint received about this case' });
    expect(await prisma.search.count({ where: { caseId } })).toBe(searchesBefore);
  });
});

describe('when the vector index is down', () => {
  it('still applies casework retention, keeps the faces out of search, and finishes on the next run', async () => {
    const database = await openMemoryDatabase();
    const dataDir = mkdtempSync(join(tmpdir(), 'rfr-index-down-'));
    const index = new EmbeddedVectorIndex({ directory: join(dataDir, 'vectors') });
    try {
      const crops = new CropStore(join(dataDir, 'crops'));
      const { prisma } = database;
      const world = await buildRetentionWorld({ prisma, crops, index }, { bulk: 0 });
      const down: VectorIndex = Object.assign(Object.create(index) as VectorIndex, {
        deleteByIds: async () => {
          throw new Error('index unreachable');
        },
      });
      await expect(runRetention({ prisma, index: down, crops })).rejects.toThrow(/vector index could not be updated.*index unreachable/);
      expect(await prisma.case.count({ where: { id: world.cases.closedOld.caseId } })).toBe(0);
      // Out of every search (not indexed), not yet out of the index, so not purged either.
      const expired = await prisma.enrolledFace.findMany({ where: { id: { in: world.faces.expired.map((face) => face.id) } }, select: { indexState: true, purgedAt: true } });
      expect(expired.every((face) => face.indexState === 'deleting' && face.purgedAt === null)).toBe(true);
      expect(await runRetention({ prisma, index, crops })).toMatchObject({ removedFromIndex: world.faces.expired.length + 2 });
      expect(await prisma.enrolledFace.count({ where: { indexState: 'deleting' } })).toBe(0);
    } finally {
      await index.close();
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
