import 'server-only';
import { join } from 'node:path';
import { PrismaClient } from '@/lib/server/generated/prisma/client';
import { getConfig } from '@/lib/server/config';
import { applyMigrations, readMigrationFiles, type MigrationReport } from './migrate';
import { applyRuntimeGrants } from './runtime-role';
import { openSqlDriver, type SqlDriver } from './sql-driver';

export type Database = {
  prisma: PrismaClient;
  driver: SqlDriver;
  migrations: MigrationReport;
  close(): Promise<void>;
};

export type OpenDatabaseOptions = {
  /** postgres:// URL; when absent the embedded PGlite store is used. */
  databaseUrl?: string | undefined;
  /**
   * postgres:// URL of the owner role that applies migrations, where the app's own role (databaseUrl)
   * owns nothing; it then also grants the runtime role its privileges. Only open for the migration.
   */
  migrationUrl?: string | undefined;
  /** PGlite data folder; when absent (and no URL) the database lives in memory, for tests. */
  pgliteDir?: string | undefined;
};

export const MIGRATIONS_DIR = join(process.cwd(), 'prisma', 'migrations');

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const driver = await openSqlDriver(options);
  try {
    const migrations =
      options.databaseUrl && options.migrationUrl && options.migrationUrl !== options.databaseUrl
        ? await migrateAsOwner(driver, options.migrationUrl)
        : await applyMigrations(driver, readMigrationFiles(MIGRATIONS_DIR));
    const prisma = new PrismaClient({ adapter: driver.createPrismaAdapter() });
    return {
      prisma,
      driver,
      migrations,
      close: async () => {
        await prisma.$disconnect();
        await driver.close();
      },
    };
  } catch (error) {
    await driver.close();
    throw error;
  }
}

// Migrations and grants through a short-lived connection as the owner; the app keeps only its own.
async function migrateAsOwner(runtime: SqlDriver, migrationUrl: string): Promise<MigrationReport> {
  const [{ role } = { role: '' }] = await runtime.query<{ role: string }>('SELECT current_user AS role');
  const owner = await openSqlDriver({ databaseUrl: migrationUrl });
  try {
    const report = await applyMigrations(owner, readMigrationFiles(MIGRATIONS_DIR));
    const [{ role: ownerRole } = { role: '' }] = await owner.query<{ role: string }>('SELECT current_user AS role');
    if (role !== ownerRole) {
      const problems = await owner.withSession((session) => applyRuntimeGrants(session, role));
      for (const problem of problems) console.warn(`[db] WARNING: ${problem}; the audit log is not protected from the application's own role.`);
    }
    return report;
  } finally {
    await owner.close();
  }
}

export function embeddedDatabaseDir(dataDir: string): string {
  return join(dataDir, 'db');
}

// One database per process. Kept on globalThis so Next's dev-mode module reloads do not open a
// second PGlite on the same folder (it is single-process and would refuse).
const holder = globalThis as typeof globalThis & { __rfrDatabase?: Promise<Database> };

export function getDatabase(): Promise<Database> {
  holder.__rfrDatabase ??= openDatabase({
    databaseUrl: getConfig().databaseUrl,
    migrationUrl: getConfig().databaseMigrationUrl,
    pgliteDir: embeddedDatabaseDir(getConfig().dataDir),
  }).catch((error: unknown) => {
    holder.__rfrDatabase = undefined;
    throw error;
  });
  return holder.__rfrDatabase;
}

export async function getPrisma(): Promise<PrismaClient> {
  return (await getDatabase()).prisma;
}

export type TransactionClient = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

/** What a data-access read runs against: the process's client, or the caller's transaction. */
export type Db = PrismaClient | TransactionClient;
