import { afterAll, beforeAll, expect, it } from 'vitest';
import { recordAuditEvent } from '@/lib/server/audit/append-audit-event';
import type { Database } from '@/lib/server/db/database';
import { listAuditEvents, listTeamAuditEvents } from '@/lib/server/dal/audit-log';
import { buildCaseworkFixture, type CaseworkFixture } from '../../support/casework-fixture';
import { openMemoryDatabase } from '../../support/test-database';

// A supervisor reads their own team's events only; the viewer's filters apply on top.
let database: Database;
let world: CaseworkFixture;
beforeAll(async () => {
  database = await openMemoryDatabase();
  world = await buildCaseworkFixture(database, 'audit-view');
  for (const [actor, action, outcome] of [
    [world.actors.opener, 'case.open', 'success'],
    [world.actors.teammate, 'review.commit', 'refused'],
    [world.actors.otherTeam, 'case.open', 'success'],
  ] as const) {
    await recordAuditEvent(database.prisma, { actorId: actor.id, actorRole: actor.role, action, outcome, payload: {} });
  }
}, 60_000);
afterAll(async () => database?.close());

it("shows a supervisor their team's events, filtered, and records the viewing", async () => {
  const seen = await listTeamAuditEvents(world.actors.supervisor, { limit: 50 }, database.prisma);
  const actors = new Set(seen.map((event) => event.actorId));
  expect(actors.has(world.actors.opener.id) && actors.has(world.actors.teammate.id)).toBe(true);
  expect(actors.has(world.actors.otherTeam.id)).toBe(false);
  const refused = await listTeamAuditEvents(world.actors.supervisor, { filter: { outcome: 'refused' }, limit: 50 }, database.prisma);
  expect(refused.map((event) => event.action)).toEqual(['review.commit']);
  // Asking for another team's member by id gives nothing of theirs.
  expect(await listTeamAuditEvents(world.actors.supervisor, { filter: { actorId: world.actors.otherTeam.id }, limit: 50 }, database.prisma)).toEqual([]);
  expect(await listTeamAuditEvents(world.actors.admin, { limit: 50 }, database.prisma)).toEqual([]);
  const [latest] = await listAuditEvents({ filter: { action: 'audit.view' }, limit: 1 }, database.prisma);
  expect(latest).toMatchObject({ actorId: world.actors.supervisor.id, outcome: 'success' });
});
