import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createActionDefiner } from '@/lib/server/actions/create-action-definer';
import type { Actor } from '@/lib/server/auth/current-actor';
import type { Database } from '@/lib/server/db/database';
import { EmbeddedVectorIndex } from '@/lib/server/vector/embedded-index';
import { isVectorIndexError, VectorIndexError } from '@/lib/server/vector/vector-index';
import { AppError } from '@/lib/shared/errors';
import { openMemoryDatabase } from '../support/test-database';

// An index that is down, locked or damaged is the system failing, not the user being refused: the
// action reports an internal error with an event id, the audit event says `error`, and the log has
// the index's own message.
const root = mkdtempSync(join(tmpdir(), 'rfr-index-failure-'));
let database: Database;
let investigator: Actor;

beforeAll(async () => {
  database = await openMemoryDatabase();
  const team = await database.prisma.team.create({ data: { name: 'Team' } });
  investigator = await database.prisma.user.create({
    data: { email: 'i@index.test', displayName: 'Investigator', role: 'investigator', passwordHash: 'x', teamId: team.id },
    select: { id: true, email: true, displayName: true, role: true, teamId: true },
  });
}, 60_000);

afterAll(async () => {
  await database?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('a vector-index failure inside an action', () => {
  it('is an internal error: logged with its reason, audited as error, never shown as a refusal', async () => {
    const index = new EmbeddedVectorIndex({ directory: join(root, 'vectors') });
    await index.ensureCollection({ modelId: 'm', dimension: 4 });
    await index.close(); // what an index that went away looks like to the next search

    const logged: { eventId: string; error: unknown }[] = [];
    const defineAction = createActionDefiner({
      getActor: async () => investigator,
      getPrisma: async () => database.prisma,
      logError: (eventId, error) => logged.push({ eventId, error }),
    });
    const searchAction = defineAction({
      name: 'search.run',
      permission: 'search:run',
      input: z.object({}),
      authorize: async () => undefined,
      async run() {
        await index.search('m', { vector: new Float32Array([1, 0, 0, 0]), limit: 5, watchlistIds: ['w'] });
        return { data: null, target: { type: 'search', id: 'none' } };
      },
    });

    const result = await searchAction({});
    expect(result).toMatchObject({ ok: false, error: { code: 'INTERNAL', message: 'Something went wrong. Nothing was changed.' } });
    const eventId = result.ok ? '' : result.error.eventId;
    expect(eventId).toMatch(/^[0-9a-f-]{36}$/);

    const event = await database.prisma.auditEvent.findFirstOrThrow({ where: { action: 'search.run' }, orderBy: { sequence: 'desc' } });
    expect(event.outcome).toBe('error');
    expect(event.payload).toMatchObject({ code: 'INTERNAL', eventId });

    expect(logged).toHaveLength(1);
    expect(logged[0]!.eventId).toBe(eventId);
    expect(isVectorIndexError(logged[0]!.error, 'UNAVAILABLE')).toBe(true);
    expect(String(logged[0]!.error)).toMatch(/VectorIndexError: vector index UNAVAILABLE: the embedded vector index has been closed/);
  });

  it('a scan worker that dies mid-search fails that search as an internal error, and the pool recovers', async () => {
    const index = new EmbeddedVectorIndex({
      directory: join(root, 'vectors-crash'),
      scanWorkers: 1,
      scanWorkerFile: fileURLToPath(new URL('../support/crashing-scan-worker.mjs', import.meta.url)),
    });
    await index.ensureCollection({ modelId: 'm', dimension: 4 });
    await index.upsert('m', [{ id: crypto.randomUUID(), vector: new Float32Array([1, 0, 0, 0]), payload: { watchlistId: 'w', subjectId: 's', enrolledFaceId: 'f', expiresAt: null } }]);
    const logged: unknown[] = [];
    const defineAction = createActionDefiner({
      getActor: async () => investigator,
      getPrisma: async () => database.prisma,
      logError: (_eventId, error) => logged.push(error),
    });
    const searchAction = defineAction({
      name: 'search.run',
      permission: 'search:run',
      input: z.object({ limit: z.number() }),
      authorize: async () => undefined,
      async run({ input }) {
        const hits = await index.search('m', { vector: new Float32Array([1, 0, 0, 0]), limit: input.limit, watchlistIds: ['w'] });
        return { data: hits.length, target: { type: 'search', id: 'none' } };
      },
    });
    try {
      // limit 13 is the fixture's cue to kill its worker thread.
      expect(await searchAction({ limit: 13 })).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
      expect(String(logged[0])).toMatch(/vector index UNAVAILABLE: the scan worker stopped during the search/);
      expect(await searchAction({ limit: 5 })).toEqual({ ok: true, data: 1 });
    } finally {
      await index.close();
    }
  });

  it('is not an AppError, so no wrapper or route can pass it off as an expected refusal', () => {
    const error = new VectorIndexError('CORRUPT_STORE', 'vector snapshot /data/vectors/x.seg is damaged');
    expect(error).not.toBeInstanceOf(AppError);
    expect(error.reason).toBe('CORRUPT_STORE');
  });
});
