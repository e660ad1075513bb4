import 'server-only';
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { getDatabase } from '@/lib/server/db/database';
import { getVectorIndex } from '@/lib/server/vector/get-vector-index';

export type ComponentHealth = { ok: boolean; detail: string };
export type HealthReport = { ok: boolean; checkedAt: string; components: Record<string, ComponentHealth> };

type ManifestEntry = { id: string; file: string; sha256: string };

export type HealthChecks = Record<string, () => Promise<ComponentHealth>>;

export async function checkHealth(checks: HealthChecks = defaultChecks()): Promise<HealthReport> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        return [name, await check()] as const;
      } catch (error) {
        return [name, { ok: false, detail: (error as Error).message }] as const;
      }
    }),
  );
  const components = Object.fromEntries(entries);
  return { ok: entries.every(([, health]) => health.ok), checkedAt: new Date().toISOString(), components };
}

function defaultChecks(): HealthChecks {
  return { database: checkDatabase, vectorIndex: checkVectorIndex, models: checkModelFiles };
}

async function checkDatabase(): Promise<ComponentHealth> {
  const database = await getDatabase();
  await database.driver.query('SELECT 1');
  const applied = database.migrations.applied.length + database.migrations.alreadyApplied.length;
  return { ok: true, detail: `${database.driver.engine}, ${applied} migrations applied` };
}

async function checkVectorIndex(): Promise<ComponentHealth> {
  const index = getVectorIndex();
  const health = await index.health();
  return { ok: health.ok, detail: `${index.engine}: ${health.detail}` };
}

// Hashing the weights on every health probe would be wasteful: a file is re-hashed only when its
// size or modification time changes.
const verified = new Map<string, string>();

export async function checkModelFiles(modelsDir = join(process.cwd(), 'public', 'models')): Promise<ComponentHealth> {
  const manifest = JSON.parse(await readFile(join(modelsDir, 'manifest.json'), 'utf8')) as { models: ManifestEntry[] };
  const problems: string[] = [];
  for (const model of manifest.models) {
    const path = join(/*turbopackIgnore: true*/ modelsDir, model.file);
    try {
      const info = await stat(/*turbopackIgnore: true*/ path);
      const key = `${path}:${info.size}:${info.mtimeMs}`;
      if (verified.get(model.id) !== key) {
        const digest = createHash('sha256').update(await readFile(/*turbopackIgnore: true*/ path)).digest('hex');
        if (digest !== model.sha256) {
          problems.push(`${model.id}: sha256 does not match the manifest`);
          continue;
        }
        verified.set(model.id, key);
      }
    } catch {
      problems.push(`${model.id}: ${model.file} is missing (run npm install)`);
    }
  }
  return problems.length
    ? { ok: false, detail: problems.join('; ') }
    : { ok: true, detail: `${manifest.models.length} models present, hashes match the manifest` };
}
