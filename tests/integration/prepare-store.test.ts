import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { CropStore } from '@/lib/server/storage/crop-store';
import { EmbeddedVectorIndex } from '@/lib/server/vector/embedded-index';
import { createThrowawayPostgres, type ThrowawayPostgres } from '../support/test-database';

// What `npm start` does before serving (scripts/prepare-store.ts), run as a user would run it: with
// the usual umask of 022, on a fresh data folder, on a folder others can write to, and on PostgreSQL.
const root = mkdtempSync(join(tmpdir(), 'rfr-prepare-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function prepare(options: { dataDir: string; env?: Record<string, string>; args?: string[] }) {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: options.dataDir, ...options.env };
  for (const name of ['DATABASE_URL', 'DATABASE_MIGRATION_URL', 'AUTH_SECRET', 'RFR_DEMO', 'RFR_DEMO_PASSWORD']) {
    if (!options.env?.[name]) delete env[name];
  }
  // umask 022 as in a login shell: what left 968 PGlite files world-writable.
  const command = ['umask 022 && exec "$@"', 'sh', process.execPath, '--conditions=react-server', '--import', 'tsx', 'scripts/prepare-store.ts', ...(options.args ?? [])];
  const result = spawnSync('sh', ['-c', ...command], { cwd: process.cwd(), env, encoding: 'utf8', timeout: 170_000 });
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
}

/** Every file and folder under `path` (itself included) that its group or others may use at all. */
function accessibleToOthers(path: string): { checked: number; exposed: string[] } {
  const exposed: string[] = [];
  let checked = 0;
  const visit = (entry: string) => {
    const info = lstatSync(entry);
    if (info.isSymbolicLink()) return;
    checked += 1;
    if ((info.mode & 0o077) !== 0) exposed.push(`${(info.mode & 0o777).toString(8)} ${entry}`);
    if (info.isDirectory()) for (const name of readdirSync(entry)) visit(join(entry, name));
  };
  visit(path);
  return { checked, exposed };
}

describe('the data folder at rest', () => {
  const dataDir = join(root, 'data');

  it('is created owner-only under umask 022: PGlite files, secret, everything', () => {
    const result = prepare({ dataDir, env: { RFR_DEMO_PASSWORD: 'prepare-test-password' } });
    expect(result.status, result.output).toBe(0);
    const { checked, exposed } = accessibleToOthers(dataDir);
    expect(checked).toBeGreaterThan(900); // PGlite's initdb alone writes ~1000 files
    expect(exposed).toEqual([]);
    expect(existsSync(join(dataDir, 'auth-secret'))).toBe(true);
  });

  it('keeps crops and vector files owner-only too, whatever the umask', async () => {
    const previous = process.umask(0o022);
    try {
      const crops = new CropStore(join(dataDir, 'crops'));
      await crops.savePixels('enrolled', { width: 4, height: 4, channels: 3, data: new Uint8Array(48).fill(128) });
      // A tiny compaction threshold, so the snapshot file is written as well as the log.
      const index = new EmbeddedVectorIndex({ directory: join(dataDir, 'vectors'), compactLogBytes: 1 });
      await index.ensureCollection({ modelId: 'test-model', dimension: 4 });
      const watchlistId = randomUUID();
      for (let i = 0; i < 3; i += 1) {
        const vector = new Float32Array([1, i, 0, 0]);
        await index.upsert('test-model', [
          { id: randomUUID(), vector, payload: { watchlistId, subjectId: randomUUID(), enrolledFaceId: randomUUID(), expiresAt: null } },
        ]);
      }
      await index.close();
    } finally {
      process.umask(previous);
    }
    const names = readdirSync(join(dataDir, 'vectors'), { recursive: true }).map(String);
    expect(names.some((name) => name.endsWith('.seg'))).toBe(true);
    expect(accessibleToOthers(dataDir).exposed).toEqual([]);
  });

  it('is refused at start when others can write to it, before anything is opened', () => {
    const shared = join(root, 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o777);
    const result = prepare({ dataDir: shared });
    expect(result.status).toBe(1);
    expect(result.output).toMatch(/can be written by other users \(mode 777\)[\s\S]*chmod -R go-rwx/);
    expect(readdirSync(shared)).toEqual([]);
  });
});

describe('demo users', () => {
  let postgres: ThrowawayPostgres | null = null;
  afterAll(async () => {
    await postgres?.drop();
  });

  async function userEmails(url: string): Promise<string[]> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query<{ email: string }>('SELECT email FROM users ORDER BY email')).rows.map((row) => row.email);
    } finally {
      await client.end();
    }
  }

  it('refuses a demo password shorter than every password must be, before anything is opened', () => {
    const dataDir = join(root, 'short-password');
    const result = prepare({ dataDir, env: { RFR_DEMO_PASSWORD: 'short' } });
    expect(result.status).toBe(1);
    expect(result.output).toMatch(/RFR_DEMO_PASSWORD: Use at least 12 characters/);
    expect(existsSync(join(dataDir, 'db'))).toBe(false);
  });

  it('are never created silently on a DATABASE_URL, only with --demo', async () => {
    postgres = await createThrowawayPostgres();
    if (!postgres) return;
    const dataDir = join(root, 'postgres-data');
    const plain = prepare({ dataDir, env: { DATABASE_URL: postgres.url, RFR_DEMO_PASSWORD: 'prepare-test-password' } });
    expect(plain.status, plain.output).toBe(0);
    expect(plain.output).toMatch(/No user accounts yet, and no demo users were created/);
    expect(await userEmails(postgres.url)).toEqual([]);

    const asked = prepare({ dataDir, env: { DATABASE_URL: postgres.url, RFR_DEMO_PASSWORD: 'prepare-test-password' }, args: ['--demo'] });
    expect(asked.status, asked.output).toBe(0);
    expect(await userEmails(postgres.url)).toEqual(['admin@demo.local', 'investigator@demo.local', 'reviewer@demo.local', 'supervisor@demo.local']);
  });

  it('refuses an unknown flag', () => {
    const result = prepare({ dataDir: join(root, 'flags'), args: ['--demo-users'] });
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/unknown option --demo-users/);
  });
});
