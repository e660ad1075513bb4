import 'server-only';
import { resolve } from 'node:path';
import { z } from 'zod';
import { defaultScanWorkers } from '@/lib/server/vector/scan-pool';

// One typed view of the environment, validated once. Defaults are the embedded stores, so a fresh
// clone runs with no configuration at all; production sets DATABASE_URL and QDRANT_URL.
const environmentSchema = z.object({
  DATA_DIR: z.string().min(1).default('./data'),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// URL')
    .optional(),
  // The owner role that applies migrations; the app itself connects as DATABASE_URL's runtime role,
  // which owns nothing and may only read and append the audit log (see scripts/create-runtime-role.sql).
  DATABASE_MIGRATION_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_MIGRATION_URL must be a postgres:// URL')
    .optional(),
  QDRANT_URL: z.string().url().optional(),
  QDRANT_API_KEY: z.string().optional(),
  QDRANT_SHARDS: z.coerce.number().int().min(1).default(1),
  QDRANT_REPLICATION_FACTOR: z.coerce.number().int().min(1).default(1),
  // Worker threads for the embedded index's exact scan; 0 scans in the server thread (which then stalls
  // every other request for the length of a scan). Default: cores − 1, at least 1 (scan-pool.ts).
  VECTOR_SCAN_WORKERS: z.coerce.number().int().min(0).max(64).optional(),
  // How long a search may wait for the vector index while its database transaction is open. Below
  // Prisma's 5 s interactive-transaction limit, so a stuck index fails the search with its own clear
  // error and releases the connection, rather than holding the transaction (with PGlite: the database).
  VECTOR_SEARCH_TIMEOUT_MS: z.coerce.number().int().min(100).max(4_500).default(4_000),
  AUTH_SECRET: z.string().min(32).optional(),
  // How many reverse proxies in front of the server append to X-Forwarded-For (0: none, the header is
  // the client's own claim and no address is recorded; 1: one proxy, whose entry is trusted).
  TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
  // The largest image (width × height) the server decodes: enrolment uploads and CLI enrolment. A PNG
  // of a few hundred KB can declare 225 MP, which libvips would hold whole in memory; nothing a gallery
  // or a CCTV still needs comes near 40 MP. At most sharp's own default ceiling.
  // Where the /api/v1 rate limits are kept: unset, each process keeps its own buckets; set, every
  // instance shares one budget per client (lib/server/api/rate-limit.ts).
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'REDIS_URL must be a redis:// or rediss:// URL').optional(),
  // Signs /api/v1 access tokens. Unset, a key is generated once in DATA_DIR/api-token-key (owner-only);
  // several instances that do not share DATA_DIR must share this instead.
  API_TOKEN_SECRET: z.string().min(32).optional(),
  MAX_IMAGE_PIXELS: z.coerce.number().int().min(1_000_000).max(268_402_689).default(40_000_000),
});

export type AppConfig = {
  dataDir: string;
  port: number;
  databaseUrl: string | undefined;
  /** Set only where migrations run as a separate owner role; see `migrationDatabaseUrl`. */
  databaseMigrationUrl: string | undefined;
  qdrant: { url: string; apiKey: string | undefined; shards: number; replicationFactor: number } | undefined;
  vectorScanWorkers: number;
  vectorSearchTimeoutMs: number;
  authSecret: string | undefined;
  trustedProxyHops: number;
  /** Images above this many pixels are refused before they are decoded. */
  maxImagePixels: number;
  redisUrl: string | undefined;
  apiTokenSecret: string | undefined;
};

let cached: AppConfig | undefined;

export function readConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const parsed = environmentSchema.safeParse(stripEmpty(env));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const e = parsed.data;
  return {
    dataDir: resolve(e.DATA_DIR),
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    databaseMigrationUrl: e.DATABASE_MIGRATION_URL,
    qdrant: e.QDRANT_URL
      ? { url: e.QDRANT_URL, apiKey: e.QDRANT_API_KEY, shards: e.QDRANT_SHARDS, replicationFactor: e.QDRANT_REPLICATION_FACTOR }
      : undefined,
    vectorScanWorkers: e.VECTOR_SCAN_WORKERS ?? defaultScanWorkers(),
    vectorSearchTimeoutMs: e.VECTOR_SEARCH_TIMEOUT_MS,
    authSecret: e.AUTH_SECRET,
    trustedProxyHops: e.TRUST_PROXY,
    maxImagePixels: e.MAX_IMAGE_PIXELS,
    redisUrl: e.REDIS_URL,
    apiTokenSecret: e.API_TOKEN_SECRET,
  };
}

/**
 * Where migrations are applied from: the owner role's URL, or DATABASE_URL itself in a single-role
 * set-up, which `isSingleRole` flags so that the tools applying migrations can say so (the audit log
 * is then protected by its trigger alone, which its owner may disable).
 */
export function migrationDatabaseUrl(config: AppConfig): { url: string | undefined; isSingleRole: boolean } {
  if (!config.databaseUrl) return { url: undefined, isSingleRole: false };
  if (!config.databaseMigrationUrl) return { url: config.databaseUrl, isSingleRole: true };
  return { url: config.databaseMigrationUrl, isSingleRole: false };
}

export function getConfig(): AppConfig {
  cached ??= readConfig();
  return cached;
}

function stripEmpty(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => Boolean(entry[1])));
}
