import pg from 'pg';
import { openDatabase, type Database } from '@/lib/server/db/database';

export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** In-memory PGlite with every migration applied: a real PostgreSQL engine, no files. */
export function openMemoryDatabase(): Promise<Database> {
  return openDatabase({});
}

export type ThrowawayPostgres = { url: string; drop(): Promise<void> };

/**
 * Creates a uniquely named database on the machine's PostgreSQL for one test file and drops it
 * afterwards. Returns null (and says why) when no server answers, unless REQUIRE_POSTGRES=1, as
 * in CI, where a missing server is a failure rather than a skip.
 */
export async function createThrowawayPostgres(): Promise<ThrowawayPostgres | null> {
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 3_000 });
  try {
    await admin.connect();
  } catch (error) {
    const message = `PostgreSQL not reachable at ${POSTGRES_ADMIN_URL}: ${(error as Error).message}`;
    if (process.env.REQUIRE_POSTGRES === '1') throw new Error(message);
    console.warn(`[skip] ${message} — PostgreSQL integration tests skipped (set REQUIRE_POSTGRES=1 to fail instead).`);
    return null;
  }
  const name = `rfr_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const cleaner = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await cleaner.connect();
      // pg's Pool.end() resolves before its sockets have finished closing. Forcing the drop while they
      // close would kill them mid-goodbye (an uncaught error in the test process), so wait for them.
      for (let attempt = 0; attempt < 50; attempt += 1) {
        const { rows } = await cleaner.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name]);
        if (rows[0].n === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await cleaner.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleaner.end();
    },
  };
}

/** A store a test suite runs against; `open` answers null where the engine is not available here. */
export type DatabaseEngine = { name: string; open(): Promise<Database | null>; cleanup(): Promise<void> };

/**
 * The two engines a store-backed suite runs on (`describe.each`): in-memory PGlite, and a throwaway
 * database on the machine's PostgreSQL (skipped with a message when none answers, unless REQUIRE_POSTGRES=1).
 */
export function bothDatabaseEngines(): DatabaseEngine[] {
  let postgres: ThrowawayPostgres | null = null;
  return [
    { name: 'PGlite (embedded)', open: () => openMemoryDatabase(), cleanup: async () => undefined },
    {
      name: 'PostgreSQL (127.0.0.1:5432)',
      async open() {
        postgres = await createThrowawayPostgres();
        return postgres ? openDatabase({ databaseUrl: postgres.url }) : null;
      },
      cleanup: async () => postgres?.drop(),
    },
  ];
}

export async function countRows(database: Database, table: string): Promise<number> {
  const rows = await database.driver.query<{ n: string | number }>(`SELECT count(*) AS n FROM "${table}"`);
  return Number(rows[0]?.n ?? 0);
}
