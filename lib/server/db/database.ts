import 'server-only';
import { join } from 'node:path';
import { PrismaClient } from '@/lib/server/generated/prisma/client';
import { getConfig } from '@/lib/server/config';
import { applyMigrations, readMigrationFiles, type MigrationReport } from './migrate';
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
  /** PGlite data folder; when absent (and no URL) the database lives in memory, for tests. */
  pgliteDir?: string | undefined;
};

export const MIGRATIONS_DIR = join(process.cwd(), 'prisma', 'migrations');

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const driver = await openSqlDriver(options);
  try {
    const migrations = await applyMigrations(driver, readMigrationFiles(MIGRATIONS_DIR));
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

export function embeddedDatabaseDir(dataDir: string): string {
  return join(dataDir, 'db');
}

// One database per process. Kept on globalThis so Next's dev-mode module reloads do not open a
// second PGlite on the same folder (it is single-process and would refuse).
const holder = globalThis as typeof globalThis & { __rfrDatabase?: Promise<Database> };

export function getDatabase(): Promise<Database> {
  holder.__rfrDatabase ??= openDatabase({
    databaseUrl: getConfig().databaseUrl,
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
