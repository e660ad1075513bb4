import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordAuditEvent } from '@/lib/server/audit/append-audit-event';
import { GENESIS_HASH, hashAuditEvent } from '@/lib/server/audit/audit-hash';
import { verifyAuditChain } from '@/lib/server/audit/verify-audit-chain';
import { openDatabase, type Database } from '@/lib/server/db/database';
import { findRuntimeRoleProblems } from '@/lib/server/db/runtime-role';
import { pruneAuditLog } from '@/lib/server/retention/prune-audit-log';
import { POSTGRES_ADMIN_URL } from '../../support/test-database';

// The two-role set-up on the machine's PostgreSQL: scripts/create-runtime-role.sql makes the roles,
// the owner migrates and grants, and the app's runtime role can do its normal work but cannot switch
// the audit trigger off, nor update, delete or truncate an audit event.
const run = promisify(execFile);
const DAY = 86_400_000;
const suffix = `${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
const names = { db: `rfr_roles_${suffix}`, owner: `rfr_owner_${suffix}`, runtime: `rfr_app_${suffix}` };
const urlFor = (role: string) => {
  const url = new URL(POSTGRES_ADMIN_URL);
  url.username = role;
  url.pathname = `/${names.db}`;
  return url.toString();
};

let skipReason: string | null = null;
let database: Database | undefined;

beforeAll(async () => {
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 3_000 });
  try {
    await admin.connect();
    await admin.end();
  } catch (error) {
    skipReason = `PostgreSQL not reachable at ${POSTGRES_ADMIN_URL}: ${(error as Error).message}`;
    if (process.env.REQUIRE_POSTGRES === '1') throw new Error(skipReason);
    return;
  }
  try {
    await run('psql', [POSTGRES_ADMIN_URL, '-q', '-v', `db=${names.db}`, '-v', `owner=${names.owner}`, '-v', 'owner_password=owner-secret', '-v', `runtime=${names.runtime}`, '-v', 'runtime_password=app-secret', '-f', 'scripts/create-runtime-role.sql']);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      skipReason = 'psql is not installed';
      return;
    }
    throw error;
  }
  database = await openDatabase({ databaseUrl: urlFor(names.runtime), migrationUrl: urlFor(names.owner) });
}, 60_000);

afterAll(async () => {
  await database?.close();
  if (skipReason) return;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${names.db} WITH (FORCE)`);
  await admin.query(`DROP ROLE IF EXISTS ${names.runtime}`);
  await admin.query(`DROP ROLE IF EXISTS ${names.owner}`);
  await admin.end();
});

const test = (name: string, body: (database: Database) => Promise<void>) =>
  it(name, async (context) => {
    if (skipReason || !database) {
      console.warn(`[skip] ${skipReason}`);
      context.skip();
    }
    await body(database!);
  });

describe('runtime role on PostgreSQL', () => {
  test('the owner owns every table; the app connects as a role that owns nothing and is no superuser', async (db) => {
    const [who] = await db.driver.query<{ role: string }>('SELECT current_user AS role');
    expect(who?.role).toBe(names.runtime);
    const owners = await db.driver.query<{ owner: string }>(`SELECT DISTINCT tableowner AS owner FROM pg_tables WHERE schemaname = 'public'`);
    expect(owners.map((row) => row.owner)).toEqual([names.owner]);
    expect(await findRuntimeRoleProblems(db.driver, names.runtime)).toEqual([]);
    expect(await findRuntimeRoleProblems(db.driver, 'postgres')).toEqual(expect.arrayContaining([expect.stringMatching(/superuser/)]));
  });

  test('does the application’s normal writes, including appending to the audit log', async (db) => {
    const { prisma } = db;
    const team = await prisma.team.create({ data: { name: 'Runtime team' } });
    const user = await prisma.user.create({ data: { email: 'runtime@roles.test', displayName: 'R', role: 'investigator', passwordHash: 'x', teamId: team.id } });
    await prisma.$transaction(async (tx) => {
      await tx.case.create({ data: { reference: 'ROLE/1', offence: 'Theft', purpose: 'Identify the person', legalBasis: 'Test', openedById: user.id, teamId: team.id } });
    });
    await prisma.case.updateMany({ where: { reference: 'ROLE/1' }, data: { status: 'closed' } });
    // Five events from three years ago (as if the log had been running), then today's.
    let prevHash = GENESIS_HASH;
    for (let n = 1; n <= 5; n += 1) {
      const fields = { sequence: BigInt(n), prevHash, actorId: null, actorRole: 'system', action: 'old.event', outcome: 'success', targetType: null, targetId: null, payload: { n }, createdAt: new Date(Date.now() - 3 * 365 * DAY + n * DAY) };
      const hash = hashAuditEvent(fields);
      await prisma.auditEvent.create({ data: { ...fields, hash } });
      prevHash = hash;
    }
    for (let index = 0; index < 3; index += 1) await recordAuditEvent(prisma, { actorId: user.id, actorRole: 'investigator', action: 'role.test', outcome: 'success', payload: { index } });
    expect(await verifyAuditChain(prisma)).toMatchObject({ ok: true, events: 8 });
  });

  test('cannot disable the audit trigger, nor update, delete or truncate an audit event', async (db) => {
    const attempts: [string, RegExp][] = [
      ['ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only', /must be owner/],
      ['ALTER TABLE audit_events DISABLE TRIGGER ALL', /must be owner/],
      ['DROP TRIGGER audit_events_append_only ON audit_events', /must be owner/],
      ['SET session_replication_role = replica', /permission denied/],
      [`UPDATE audit_events SET action = 'rewritten' WHERE sequence = 2`, /permission denied for table audit_events/],
      ['DELETE FROM audit_events WHERE sequence = 3', /permission denied for table audit_events/],
      ['TRUNCATE audit_events', /permission denied for table audit_events/],
      ['DROP TABLE audit_events', /must be owner/],
      [`INSERT INTO "_prisma_migrations" (id, checksum, migration_name) VALUES ('x', 'y', 'z')`, /permission denied for table _prisma_migrations/],
      ['CREATE TABLE shadow_audit (id int)', /permission denied for schema public/],
    ];
    for (const [sql, refusal] of attempts) await expect(db.driver.exec(sql), sql).rejects.toThrow(refusal);
    // Not even the prefix the trigger would let retention delete: that goes through the owner's function.
    await db.driver.withSession(async (session) => {
      await session.exec('BEGIN');
      try {
        await session.exec(`SELECT set_config('rfr.audit_prune_through', '2', true)`);
        await expect(session.exec('DELETE FROM audit_events WHERE sequence <= 2')).rejects.toThrow(/permission denied/);
      } finally {
        await session.exec('ROLLBACK');
      }
    });
    expect(await verifyAuditChain(db.prisma)).toMatchObject({ ok: true, events: 8 });
  });

  test('still lets retention prune events over a year old, through the owner’s function the trigger bounds', async (db) => {
    expect(await pruneAuditLog(db.prisma, { olderThan: new Date(Date.now() - 400 * DAY), now: new Date(), batchSize: 100 })).toBe(5);
    expect(await verifyAuditChain(db.prisma)).toMatchObject({ ok: true, events: 4 });
    // The function cannot take recent events: the trigger refuses.
    await expect(db.driver.exec('SELECT prune_audit_events(7)')).rejects.toThrow(/append-only/);
  });

  test('opens with the runtime role alone once migrated, and tables added later by the owner are granted', async () => {
    const runtimeOnly = await openDatabase({ databaseUrl: urlFor(names.runtime) });
    try {
      expect(runtimeOnly.migrations.applied).toEqual([]);
    } finally {
      await runtimeOnly.close();
    }
    const owner = new pg.Client({ connectionString: urlFor(names.owner) });
    await owner.connect();
    try {
      await owner.query('CREATE TABLE added_later (id int)');
    } finally {
      await owner.end();
    }
    await database!.driver.exec('INSERT INTO added_later VALUES (1)');
  });

  test('db:migrate warns about a single-role set-up, and not about two roles', async () => {
    const migrate = async (env: Record<string, string>) => {
      const { stdout, stderr } = await run('npm', ['run', '--silent', 'db:migrate'], { env: { ...process.env, ...env } });
      return stdout + stderr;
    };
    expect(await migrate({ DATABASE_URL: urlFor(names.owner) })).toMatch(/WARNING: DATABASE_MIGRATION_URL is not set/);
    const twoRoles = await migrate({ DATABASE_URL: urlFor(names.runtime), DATABASE_MIGRATION_URL: urlFor(names.owner) });
    expect(twoRoles).not.toMatch(/WARNING/);
    expect(twoRoles).toMatch(/postgresql: applied 0/);
  });
});
