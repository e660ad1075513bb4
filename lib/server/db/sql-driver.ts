import 'server-only';
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { OWNER_ONLY_DIRECTORY, restrictFileCreationMask, restrictTree } from '@/lib/server/storage/owner-only';
import { acquireProcessLock } from '@/lib/server/storage/process-lock';

// The same SQL runs on both engines: PGlite (embedded PostgreSQL, one process) by default and
// PostgreSQL when DATABASE_URL is set. This is the only place that knows which one is in use.
export type SqlSession = {
  /** Runs one or more statements with no parameters (migrations). */
  exec(sql: string): Promise<void>;
  query<Row>(sql: string, params?: unknown[]): Promise<Row[]>;
};

export type SqlDriver = SqlSession & {
  engine: 'pglite' | 'postgresql';
  /** One connection for the whole callback: session locks and BEGIN/COMMIT need that. */
  withSession<T>(work: (session: SqlSession) => Promise<T>): Promise<T>;
  createPrismaAdapter(): PrismaPGlite | PrismaPg;
  close(): Promise<void>;
};

export type SqlDriverOptions = { databaseUrl?: string | undefined; pgliteDir?: string | undefined };

export async function openSqlDriver(options: SqlDriverOptions): Promise<SqlDriver> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl);
  return openPglite(options.pgliteDir);
}

async function openPglite(dataDir: string | undefined): Promise<SqlDriver> {
  if (dataDir) {
    // PGlite writes its own files; the umask covers what it creates while running (new tables, WAL),
    // and restrictTree what its initdb writes 0666 regardless.
    restrictFileCreationMask();
    mkdirSync(dataDir, { recursive: true, mode: OWNER_ONLY_DIRECTORY });
  }
  const lock = dataDir
    ? acquireProcessLock(`${dataDir.replace(/\/+$/, '')}.lock`, {
        what: `The embedded store ${dataDir}`,
        hint: 'PGlite serves one process at a time: stop the running server first (or enrol through the admin pages), or use PostgreSQL via DATABASE_URL.',
      })
    : null;
  const release = () => lock?.release();
  let client: PGlite;
  try {
    client = dataDir ? await PGlite.create(dataDir) : await PGlite.create();
    if (dataDir) restrictTree(dataDir);
  } catch (error) {
    release();
    throw error;
  }
  const session: SqlSession = {
    exec: async (sql) => {
      await client.exec(sql);
    },
    query: async <Row>(sql: string, params: unknown[] = []) => (await client.query<Row>(sql, params)).rows,
  };
  return {
    engine: 'pglite',
    ...session,
    // PGlite is a single connection already.
    withSession: (work) => work(session),
    createPrismaAdapter: () => new PrismaPGlite(client),
    close: async () => {
      try {
        await client.close();
      } finally {
        release();
      }
    },
  };
}

async function openPostgres(connectionString: string): Promise<SqlDriver> {
  const pool = new pg.Pool({ connectionString, max: 10 });
  // An idle connection closed by the server (restart, failover, admin) is replaced on next use; without
  // a listener, pg's 'error' event would crash the whole process instead.
  pool.on('error', (error) => console.warn(`[db] idle PostgreSQL connection lost: ${error.message}`));
  // Fail at start, with the URL's host in the message, rather than on the first request.
  const probe = await pool.connect().catch((error: unknown) => {
    const host = safeHost(connectionString);
    throw new Error(`Cannot connect to PostgreSQL at ${host}: ${(error as Error).message}`);
  });
  probe.release();
  return {
    engine: 'postgresql',
    exec: async (sql) => {
      await pool.query(sql);
    },
    query: async <Row>(sql: string, params: unknown[] = []) =>
      (await pool.query(sql, params)).rows as Row[],
    withSession: async (work) => {
      const client = await pool.connect();
      try {
        return await work({
          exec: async (sql) => {
            await client.query(sql);
          },
          query: async <Row>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as Row[],
        });
      } finally {
        client.release();
      }
    },
    createPrismaAdapter: () => new PrismaPg(pool),
    close: () => pool.end(),
  };
}

function safeHost(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    return `${url.hostname}:${url.port || 5432}${url.pathname}`;
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}
