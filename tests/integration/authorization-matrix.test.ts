import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Database } from '@/lib/server/db/database';
import { ACTION_MATRIX, MATRIX_ACTORS, type MatrixActor } from '@/lib/shared/security/authorization-matrix';
import { requestScope } from '../support/request-scope';
import { buildAttackWorld, type AttackWorld } from '../support/attack-world';
import { changesSince, takeSnapshot } from '../support/state-snapshot';
import { openMemoryDatabase } from '../support/test-database';

// Every server action against every kind of caller, as the matrix in lib/shared/security says: the
// exported functions of lib/actions themselves, through the real wrapper, the real session resolution
// (each call carries a real session cookie), the real specifications, a real PostgreSQL engine and
// real files. Only Next.js's request scope is stood in for (next/headers, next/cache). A caller the
// matrix refuses must get exactly that error code, one audit event saying so, and no other change: no
// row in any table, no file under DATA_DIR. A caller it allows must succeed.

vi.mock('next/headers', () => import('../support/request-scope'));
vi.mock('next/cache', () => ({ revalidatePath: () => undefined, revalidateTag: () => undefined }));

const dataDir = vi.hoisted(() => {
  const { mkdtempSync } = require('node:fs') as typeof import('node:fs');
  const { tmpdir } = require('node:os') as typeof import('node:os');
  const { join } = require('node:path') as typeof import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'rfr-attack-'));
  process.env.DATA_DIR = dir;
  process.env.AUTH_SECRET ??= 'attack-suite-secret-that-is-long-enough-0123456789';
  return dir;
});

let database: Database;
let world: AttackWorld;
const tried = { actions: 0, refusals: 0, grants: 0, skipped: [] as string[] };

type ActionModule = Record<string, (input: unknown) => Promise<{ ok: boolean; error?: { code: string; message: string } }>>;

async function loadAction(key: string) {
  const [file, name] = key.split('.') as [string, string];
  const loaded = (await import(join(process.cwd(), 'lib', 'actions', `${file}.ts`))) as ActionModule;
  const action = loaded[name];
  if (typeof action !== 'function') throw new Error(`lib/actions/${file}.ts exports no function ${name}`);
  return action;
}

async function signInAs(actor: MatrixActor) {
  requestScope.sessionCookie = actor === 'anonymous' ? null : await world.sessionCookieFor(world.actors[actor]);
}

beforeAll(async () => {
  if (mkdtempSync === undefined || tmpdir === undefined) throw new Error('unreachable');
  database = await openMemoryDatabase();
  // The application's own getPrisma() hands out this database.
  (globalThis as { __rfrDatabase?: Promise<Database> }).__rfrDatabase = Promise.resolve(database);
  world = await buildAttackWorld(database, dataDir);
}, 300_000);

afterAll(async () => {
  console.log(
    `[authorisation matrix] ${tried.actions} action cases tried: ${tried.refusals} refusals checked (code, one audit event, nothing else changed), ${tried.grants} grants checked` +
      (tried.skipped.length ? `; skipped: ${tried.skipped.join('; ')}` : ''),
  );
  const { closeVectorIndex } = await import('@/lib/server/vector/get-vector-index');
  await closeVectorIndex().catch(() => undefined);
  (globalThis as { __rfrDatabase?: Promise<Database> }).__rfrDatabase = undefined;
  await database?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('every server action × every kind of caller', () => {
  for (const [key, row] of Object.entries(ACTION_MATRIX)) {
    if ('open' in row) continue;
    it(key, async () => {
      const action = await loadAction(key);
      const scenario = world.actionInputs[key];
      expect(scenario, `tests/support/attack-world.ts has no way to try ${key}: add one to actionInputs`).toBeDefined();
      const wrong: string[] = [];
      for (const actor of MATRIX_ACTORS) {
        const expected = row[actor];
        if (key === 'probes.recordProbeFaceForSearch' && expected === 'allowed' && !world.hasGenuineFaces) {
          tried.skipped.push(`${key} as ${actor} (allowed: needs LFW faces)`);
          continue;
        }
        const input = await scenario!(actor === 'anonymous' ? null : world.actors[actor]);
        await signInAs(actor);
        const before = await takeSnapshot(database, dataDir);
        const result = await action(input);
        tried.actions += 1;
        const got = result.ok ? 'allowed' : result.error!.code;
        if (expected === 'allowed') {
          tried.grants += 1;
          if (!result.ok) wrong.push(`${actor}: expected to be allowed, got ${got} (${result.error!.message})`);
          continue;
        }
        tried.refusals += 1;
        if (result.ok) {
          wrong.push(`${actor}: UNEXPECTED GRANT (expected ${expected})`);
          continue;
        }
        if (got !== expected) wrong.push(`${actor}: expected ${expected}, got ${got} (${result.error!.message})`);
        const { changes, auditEvents } = await changesSince(database, dataDir, before);
        if (changes.length > 0) wrong.push(`${actor}: a refusal changed more than the audit log: ${changes.join('; ')}`);
        const refusals = auditEvents.filter((event) => event.outcome === 'refused' && event.payload.code === expected);
        if (refusals.length !== 1 || auditEvents.length !== 1) {
          wrong.push(`${actor}: expected exactly one refused audit event with code ${expected}, got ${JSON.stringify(auditEvents.map((e) => [e.action, e.outcome, e.payload.code]))}`);
        } else if (refusals[0]!.actorId !== (actor === 'anonymous' ? null : world.actors[actor].id)) {
          wrong.push(`${actor}: the refusal was audited under the wrong actor (${refusals[0]!.actorId})`);
        }
      }
      expect(wrong, `${key}:\n  ${wrong.join('\n  ')}`).toEqual([]);
    });
  }
});
