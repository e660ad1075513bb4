import 'server-only';
import { resolve } from 'node:path';
import { z } from 'zod';

// One typed view of the environment, validated once. Defaults are the embedded stores, so a fresh
// clone runs with no configuration at all; production sets DATABASE_URL and QDRANT_URL.
const environmentSchema = z.object({
  DATA_DIR: z.string().min(1).default('./data'),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// URL')
    .optional(),
  QDRANT_URL: z.string().url().optional(),
  QDRANT_API_KEY: z.string().optional(),
  QDRANT_SHARDS: z.coerce.number().int().min(1).default(1),
  QDRANT_REPLICATION_FACTOR: z.coerce.number().int().min(1).default(1),
  AUTH_SECRET: z.string().min(32).optional(),
  // The largest image (width × height) the server decodes: enrolment uploads and CLI enrolment. A PNG
  // of a few hundred KB can declare 225 MP, which libvips would hold whole in memory; nothing a gallery
  // or a CCTV still needs comes near 40 MP. At most sharp's own default ceiling.
  MAX_IMAGE_PIXELS: z.coerce.number().int().min(1_000_000).max(268_402_689).default(40_000_000),
});

export type AppConfig = {
  dataDir: string;
  port: number;
  databaseUrl: string | undefined;
  qdrant: { url: string; apiKey: string | undefined; shards: number; replicationFactor: number } | undefined;
  authSecret: string | undefined;
  /** Images above this many pixels are refused before they are decoded. */
  maxImagePixels: number;
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
    qdrant: e.QDRANT_URL
      ? { url: e.QDRANT_URL, apiKey: e.QDRANT_API_KEY, shards: e.QDRANT_SHARDS, replicationFactor: e.QDRANT_REPLICATION_FACTOR }
      : undefined,
    authSecret: e.AUTH_SECRET,
    maxImagePixels: e.MAX_IMAGE_PIXELS,
  };
}

export function getConfig(): AppConfig {
  cached ??= readConfig();
  return cached;
}

function stripEmpty(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => Boolean(entry[1])));
}
