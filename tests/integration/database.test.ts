import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAuditEvent, recordAuditEvent } from '@/lib/server/audit/append-audit-event';
import { verifyAuditChain } from '@/lib/server/audit/verify-audit-chain';
import { MIGRATIONS_DIR, openDatabase, type Database } from '@/lib/server/db/database';
import { applyMigrations, MigrationError, readMigrationFiles } from '@/lib/server/db/migrate';
import { openSqlDriver } from '@/lib/server/db/sql-driver';
import { countRows, createThrowawayPostgres, type ThrowawayPostgres } from '../support/test-database';

// The same suite runs on the embedded engine (PGlite, on disk) and on the machine's PostgreSQL, to
// show that one set of SQL migrations and one data layer serve both.
type Engine = { name: string; open(): Promise<{ url?: string; dir?: string } | null>; cleanup(): Promise<void> };

let pgliteDir: string | undefined;
let postgres: ThrowawayPostgres | null = null;

const engines: Engine[] = [
  {
    name: 'PGlite (embedded)',
    async open() {
      pgliteDir = mkdtempSync(join(tmpdir(), 'rfr-pglite-'));
      return { dir: pgliteDir };
    },
    async cleanup() {
      if (pgliteDir) rmSync(pgliteDir, { recursive: true, force: true });
    },
  },
  {
    name: 'PostgreSQL (127.0.0.1:5432)',
    async open() {
      postgres = await createThrowawayPostgres();
      return postgres ? { url: postgres.url } : null;
    },
    async cleanup() {
      await postgres?.drop();
    },
  },
];

describe.each(engines)('$name', (engine) => {
  let location: { url?: string; dir?: string } | null = null;
  let database: Database;

  const reopen = () => openDatabase({ databaseUrl: location?.url, pgliteDir: location?.dir });

  beforeAll(async () => {
    location = await engine.open();
    if (location) database = await reopen();
  });

  afterAll(async () => {
    await database?.close();
    await engine.cleanup();
  });

  const test = (name: string, body: () => Promise<void>) =>
    it(name, async (context) => {
      if (!location) context.skip();
      await body();
    });

  test('applies every migration once and records it the way Prisma does', async () => {
    const files = readMigrationFiles(MIGRATIONS_DIR);
    expect(database.migrations.applied).toEqual(files.map((file) => file.name));
    const rows = await database.driver.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" ORDER BY migration_name',
    );
    expect(rows.map((row) => [row.migration_name, row.checksum])).toEqual(files.map((file) => [file.name, file.checksum]));
    expect(rows.every((row) => row.finished_at !== null)).toBe(true);
  });

  test('re-running migrations is a no-op, and data survives a reopen', async () => {
    await database.prisma.setting.create({ data: { key: 'survives', value: { yes: true } } });
    await database.close();
    database = await reopen();
    expect(database.migrations.applied).toEqual([]);
    expect(await database.prisma.setting.findUnique({ where: { key: 'survives' } })).toMatchObject({ value: { yes: true } });
  });

  test('refuses to continue when an applied migration was edited', async () => {
    const files = readMigrationFiles(MIGRATIONS_DIR);
    const edited = files.map((file, index) => (index === 0 ? { ...file, checksum: 'f'.repeat(64) } : file));
    await expect(applyMigrations(database.driver, edited)).rejects.toThrow(MigrationError);
    await expect(applyMigrations(database.driver, edited)).rejects.toThrow(/changed after it was applied/);
  });

  test('rolls back a failing migration and records nothing for it', async () => {
    const files = readMigrationFiles(MIGRATIONS_DIR);
    const broken = { name: '29991231000000_broken', sql: 'CREATE TABLE half_done (id int); SELECT no_such_function();', checksum: 'a'.repeat(64) };
    await expect(applyMigrations(database.driver, [...files, broken])).rejects.toThrow(/29991231000000_broken failed/);
    const tables = await database.driver.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'half_done'");
    expect(tables).toHaveLength(0);
    const recorded = await database.driver.query(`SELECT 1 FROM "_prisma_migrations" WHERE migration_name = '${broken.name}'`);
    expect(recorded).toHaveLength(0);
  });

  test('stores and reads back the whole domain: case → probe → face → search → candidate → review → disclosure', async () => {
    const { prisma } = database;
    const [investigator, supervisor, admin] = await Promise.all(
      (['investigator', 'supervisor', 'admin'] as const).map((role) =>
        prisma.user.create({ data: { email: `${role}@crud.test`, displayName: role, role, passwordHash: 'h' } }),
      ),
    );
    if (!investigator || !supervisor || !admin) throw new Error('users not created');
    const watchlist = await prisma.watchlist.create({
      data: { name: 'Crud list', purpose: 'Testing the schema', authority: 'Test', ownerId: admin.id, retentionDays: 30, reviewDate: new Date('2027-01-01') },
    });
    const subject = await prisma.subject.create({ data: { watchlistId: watchlist.id, reference: 'S-1', displayName: 'Subject One' } });
    const enrolled = await prisma.enrolledFace.create({
      data: {
        subjectId: subject.id,
        watchlistId: watchlist.id,
        imageSha256: 'a'.repeat(64),
        cropKey: 'crops/a.png',
        quality: { verdict: 'good', interEyePx: 40 },
        modelId: 'model@1',
        embedding: Buffer.from(new Float32Array([1, 0]).buffer),
        vectorPointId: crypto.randomUUID(),
        expiresAt: new Date(Date.now() + 30 * 86_400_000),
      },
    });
    const team = await prisma.team.create({ data: { name: 'CRUD team' } });
    const kase = await prisma.case.create({
      data: { reference: 'CRUD/1', offence: 'Theft', purpose: 'Identify the person in the still', legalBasis: 'PACE s.64A', openedById: investigator.id, teamId: team.id },
    });
    const probe = await prisma.probe.create({
      data: { caseId: kase.id, imageSha256: 'b'.repeat(64), source: 'CCTV', cameraLocation: 'High St', capturedAt: new Date(), width: 1920, height: 1080, uploadedById: investigator.id },
    });
    const embedding = new Float32Array([0.6, 0.8]);
    const face = await prisma.probeFace.create({
      data: {
        probeId: probe.id,
        box: { x: 1, y: 2, width: 30, height: 40 },
        landmarks: [[1, 2], [3, 4], [5, 6], [7, 8], [9, 10]],
        quality: { interEyePx: 24 },
        qualityVerdict: 'usable',
        cropKey: 'crops/p.png',
        cropSha256: 'c'.repeat(64),
        modelId: 'model@1',
        embedding: Buffer.from(embedding.buffer),
      },
    });
    const search = await prisma.search.create({
      data: {
        caseId: kase.id, probeFaceId: face.id, actorId: investigator.id, watchlistIds: [watchlist.id], mode: 'rank', listSize: 20,
        modelId: 'model@1', indexEngine: 'embedded', indexVersion: '1', gallerySize: 1,
        candidates: { create: [{ rank: 1, enrolledFaceId: enrolled.id, subjectId: subject.id, rawScore: 0.71, falseMatchRate: 1e-5, expectedFpir: 1e-5 }] },
      },
      include: { candidates: true },
    });
    const candidate = search.candidates[0]!;
    const review = await prisma.review.create({ data: { searchId: search.id, stage: 'first', reviewerId: investigator.id, candidateOrder: [candidate.id], committedAt: new Date() } });
    await expect(prisma.review.create({ data: { searchId: search.id, stage: 'first', reviewerId: investigator.id } })).rejects.toMatchObject({ code: 'P2002' });
    const decided = await prisma.adjudication.create({
      data: { reviewId: review.id, candidateId: candidate.id, reviewerId: investigator.id, stage: 'first', decision: 'possible_match', rationale: 'Same ear shape and scar.', checklist: { ears: 'similar' } },
    });
    // Decisions are append-only: the database refuses an edit; a correction is a new row.
    await expect(prisma.adjudication.update({ where: { id: decided.id }, data: { decision: 'no_match' } })).rejects.toThrow(/append-only/);
    await prisma.adjudication.create({
      data: { reviewId: review.id, candidateId: candidate.id, reviewerId: investigator.id, stage: 'first', decision: 'inconclusive', rationale: 'Ear hidden on second look.', supersedesId: decided.id, correctionReason: 'Re-examined' },
    });
    const disclosure = await prisma.disclosure.create({ data: { candidateId: candidate.id, requestedById: investigator.id, statement: 'Confirmed by two reviewers.' } });
    // One pending request per candidate, enforced by the database as well as by the action.
    await expect(prisma.disclosure.create({ data: { candidateId: candidate.id, requestedById: investigator.id, statement: 'Again.' } })).rejects.toMatchObject({ code: 'P2002' });
    await prisma.disclosure.update({ where: { id: disclosure.id }, data: { status: 'approved', decidedById: supervisor.id, decisionRationale: 'Proportionate.', decidedAt: new Date() } });

    const loaded = await prisma.case.findUniqueOrThrow({
      where: { id: kase.id },
      include: { probes: { include: { faces: true } }, searches: { include: { candidates: { include: { adjudications: { orderBy: { createdAt: 'asc' } }, disclosures: true } } } } },
    });
    const storedFace = loaded.probes[0]!.faces[0]!;
    expect(Array.from(new Float32Array(new Uint8Array(storedFace.embedding).buffer))).toEqual(Array.from(embedding));
    expect(loaded.searches[0]!.watchlistIds).toEqual([watchlist.id]);
    expect(loaded.searches[0]!.candidates[0]!.adjudications.map((record) => record.decision)).toEqual(['possible_match', 'inconclusive']);
    expect(loaded.searches[0]!.candidates[0]!.disclosures[0]!.status).toBe('approved');
  });

  test('chains audit events, refuses updates and deletes, and the verifier catches a direct edit', async () => {
    const { prisma } = database;
    for (let index = 0; index < 5; index += 1) {
      await recordAuditEvent(prisma, { actorId: null, actorRole: 'system', action: 'test.event', outcome: 'success', payload: { index, nested: { b: 1, a: [1.5, 'x'] } } });
    }
    expect(await verifyAuditChain(prisma)).toMatchObject({ ok: true });

    await expect(database.driver.exec(`UPDATE audit_events SET action = 'x' WHERE sequence = 2`)).rejects.toThrow(/append-only/);
    await expect(database.driver.exec(`DELETE FROM audit_events WHERE sequence = 2`)).rejects.toThrow(/append-only/);

    // A database superuser can switch the trigger off; the hash chain still gives the edit away.
    await database.driver.withSession(async (session) => {
      await session.exec(`SET session_replication_role = replica`);
      await session.exec(`UPDATE audit_events SET payload = '{"index": 99}' WHERE sequence = 3`);
      await session.exec(`SET session_replication_role = origin`);
    });
    expect(await verifyAuditChain(prisma)).toMatchObject({ ok: false, brokenAt: 3n, reason: expect.stringMatching(/edited/) });
  });

  test('detects a deleted audit event as a gap', async () => {
    const fresh = await openIsolated();
    try {
      for (let index = 0; index < 3; index += 1) {
        await recordAuditEvent(fresh.prisma, { actorId: null, actorRole: null, action: 'gap.test', outcome: 'success' });
      }
      await fresh.driver.withSession(async (session) => {
        await session.exec(`SET session_replication_role = replica`);
        await session.exec(`DELETE FROM audit_events WHERE sequence = 2`);
        await session.exec(`SET session_replication_role = origin`);
      });
      expect(await verifyAuditChain(fresh.prisma)).toMatchObject({ ok: false, brokenAt: 2n, reason: expect.stringMatching(/missing/) });
    } finally {
      await fresh.close();
    }
  });

  test('keeps the chain intact under concurrent writers', async () => {
    const fresh = await openIsolated();
    try {
      await Promise.all(
        Array.from({ length: 20 }, (_, index) =>
          fresh.prisma.$transaction(async (tx) => {
            await tx.setting.create({ data: { key: `concurrent-${index}`, value: index } });
            await appendAuditEvent(tx, { actorId: null, actorRole: null, action: 'concurrent.write', outcome: 'success', payload: { index } });
          }),
        ),
      );
      expect(await verifyAuditChain(fresh.prisma)).toMatchObject({ ok: true, events: 20 });
      expect(await countRows(fresh, 'settings')).toBe(20);
    } finally {
      await fresh.close();
    }
  });

  // A second, empty database on the same engine, for tests that need a chain of their own.
  async function openIsolated(): Promise<Database> {
    if (location?.url) {
      const extra = await createThrowawayPostgres();
      if (!extra) throw new Error('PostgreSQL vanished mid-run');
      const opened = await openDatabase({ databaseUrl: extra.url });
      return { ...opened, close: async () => { await opened.close(); await extra.drop(); } };
    }
    return openDatabase({});
  }
});

describe('sql driver', () => {
  it('fails with the host in the message when PostgreSQL is unreachable', async () => {
    await expect(openSqlDriver({ databaseUrl: 'postgres://nobody@127.0.0.1:1/none' })).rejects.toThrow(/127\.0\.0\.1:1\/none/);
  });
});
