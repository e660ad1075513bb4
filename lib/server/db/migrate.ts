import 'server-only';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SqlDriver, SqlSession } from './sql-driver';

// Prisma's migrate CLI needs a schema-engine binary that cannot be installed offline, so the SQL
// migrations it would apply are applied here instead. Rows go into `_prisma_migrations` exactly as
// Prisma records them (sha256 checksum of migration.sql), so `prisma migrate deploy` can take over
// wherever the real CLI is available.

export class MigrationError extends Error {
  constructor(
    message: string,
    readonly migrationName: string,
  ) {
    super(message);
    this.name = 'MigrationError';
  }
}

export type MigrationFile = { name: string; sql: string; checksum: string };
export type MigrationReport = { applied: string[]; alreadyApplied: string[] };

const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
);`;

// Any constant works; it only has to be the same for every process migrating the same database.
const MIGRATION_LOCK_KEY = 72_707_369;

export function readMigrationFiles(migrationsDir: string): MigrationFile[] {
  if (!existsSync(migrationsDir)) throw new Error(`No migrations folder at ${migrationsDir}`);
  return readdirSync(migrationsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(migrationsDir, entry.name, 'migration.sql')))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(migrationsDir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

type AppliedRow = { migration_name: string; checksum: string; finished_at: Date | null; rolled_back_at: Date | null };

export async function applyMigrations(driver: SqlDriver, migrations: MigrationFile[]): Promise<MigrationReport> {
  return driver.withSession(async (session) => (await findAllApplied(session, migrations)) ?? applyWithLock(session, migrations));
}

/**
 * The common case, read-only: every migration is recorded, finished and unchanged. It needs no lock
 * and no CREATE, so it also works for a runtime role that may only read `_prisma_migrations` (see
 * runtime-role.ts); anything else (pending, unfinished, edited, unknown) takes the locked path below,
 * which applies what is pending or explains what is wrong.
 */
async function findAllApplied(session: SqlSession, migrations: MigrationFile[]): Promise<MigrationReport | null> {
  const [exists] = await session.query<{ present: boolean }>(`SELECT to_regclass('"_prisma_migrations"') IS NOT NULL AS present`);
  if (!exists?.present) return null;
  const rows = await session.query<AppliedRow>(
    'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL',
  );
  const recorded = new Map(rows.map((row) => [row.migration_name, row]));
  const isCurrent =
    rows.length === migrations.length &&
    migrations.every((migration) => {
      const row = recorded.get(migration.name);
      return row?.finished_at && row.checksum === migration.checksum;
    });
  return isCurrent ? { applied: [], alreadyApplied: migrations.map((migration) => migration.name) } : null;
}

async function applyWithLock(driver: SqlSession, migrations: MigrationFile[]): Promise<MigrationReport> {
  await driver.exec(MIGRATIONS_TABLE);
  await driver.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
  try {
    const rows = await driver.query<AppliedRow>(
      'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL',
    );
    const recorded = new Map(rows.map((row) => [row.migration_name, row]));
    const report: MigrationReport = { applied: [], alreadyApplied: [] };

    for (const migration of migrations) {
      const row = recorded.get(migration.name);
      if (row) {
        if (!row.finished_at) {
          throw new MigrationError(
            `Migration ${migration.name} started earlier but never finished; inspect the database, then mark it rolled back before retrying.`,
            migration.name,
          );
        }
        if (row.checksum !== migration.checksum) {
          throw new MigrationError(
            `Migration ${migration.name} was changed after it was applied (checksum ${row.checksum.slice(0, 12)}… recorded, ${migration.checksum.slice(0, 12)}… on disk). Restore the file or add a new migration.`,
            migration.name,
          );
        }
        report.alreadyApplied.push(migration.name);
        continue;
      }
      await applyOne(driver, migration);
      report.applied.push(migration.name);
    }

    const known = new Set(migrations.map((migration) => migration.name));
    const unknown = rows.filter((row) => !known.has(row.migration_name)).map((row) => row.migration_name);
    if (unknown.length > 0) {
      throw new MigrationError(
        `The database has migrations this code does not know: ${unknown.join(', ')}. Is this an older build?`,
        unknown[0] ?? '',
      );
    }
    return report;
  } finally {
    await driver.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
  }
}

async function applyOne(driver: SqlSession, migration: MigrationFile): Promise<void> {
  const id = randomUUID();
  await driver.exec('BEGIN');
  try {
    await driver.exec(migration.sql);
    await driver.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count)
       VALUES ($1, $2, now(), $3, 1)`,
      [id, migration.checksum, migration.name],
    );
    await driver.exec('COMMIT');
  } catch (error) {
    await driver.exec('ROLLBACK');
    throw new MigrationError(`Migration ${migration.name} failed: ${(error as Error).message}`, migration.name);
  }
}
