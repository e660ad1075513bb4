import { afterAll, beforeAll, expect, it } from 'vitest';
import { z } from 'zod';
import { authorizeCreation, createActionDefiner } from '@/lib/server/actions/create-action-definer';
import type { Actor } from '@/lib/server/auth/current-actor';
import type { Database } from '@/lib/server/db/database';
import { openMemoryDatabase } from '../support/test-database';

// An action that fails while the audit store is down must still log why it failed.
let database: Database;
let investigator: Actor;
beforeAll(async () => {
  database = await openMemoryDatabase();
  const team = await database.prisma.team.create({ data: { name: 'T' } });
  investigator = await database.prisma.user.create({
    data: { email: 'i@t', displayName: 'I', role: 'investigator', passwordHash: 'x', teamId: team.id },
    select: { id: true, email: true, displayName: true, role: true, teamId: true },
  });
}, 60_000);
afterAll(async () => database?.close());

it('logs the original error when the audit record of the failure cannot be written', async () => {
  const logged: unknown[] = [];
  const defineAction = createActionDefiner({ getActor: async () => investigator, getPrisma: async () => database.prisma, logError: (_id, error) => logged.push(error) });
  const action = defineAction({
    name: 'case.open', permission: 'case:open', input: z.object({}), authorize: authorizeCreation,
    async run() { throw new Error('disk on fire'); },
  });
  await database.prisma.$executeRawUnsafe('ALTER TABLE audit_events RENAME TO audit_events_offline');
  try {
    expect(await action({})).toMatchObject({ ok: false, error: { code: 'AUDIT_UNAVAILABLE' } });
  } finally {
    await database.prisma.$executeRawUnsafe('ALTER TABLE audit_events_offline RENAME TO audit_events');
  }
  expect(logged.map((error) => (error as Error).message)).toContain('disk on fire');
});
