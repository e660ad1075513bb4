import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '@/lib/server/db/database';
import { buildDisclosureWorld, type DisclosureWorld } from '../support/disclosure-world';
import { createThrowawayPostgres, type ThrowawayPostgres } from '../support/test-database';

// The same decision sent twice — a double click, a retried request, a captured call replayed, two tabs
// at once — is recorded exactly once: the others are refused (CONFLICT) and audited as such. Run on
// the machine's real PostgreSQL, where transactions really do run at the same time (the embedded
// engine serialises them, which would prove nothing about a race).

const dataDir = mkdtempSync(join(tmpdir(), 'rfr-double-'));
let postgres: ThrowawayPostgres | null;
let database: Database;
let casework: DisclosureWorld;
const ATTEMPTS = 8;

beforeAll(async () => {
  postgres = await createThrowawayPostgres();
  if (!postgres) return;
  database = await openDatabase({ databaseUrl: postgres.url });
  casework = await buildDisclosureWorld(database, dataDir, 'double');
}, 300_000);

afterAll(async () => {
  await database?.close();
  await postgres?.drop();
  await rm(dataDir, { recursive: true, force: true });
});

function outcomes(results: { ok: boolean; error?: { code: string } }[]) {
  return { succeeded: results.filter((result) => result.ok).length, refusedWith: [...new Set(results.filter((result) => !result.ok).map((result) => result.error!.code))] };
}

const auditOutcomes = async (action: string, targetField: string, id: string) =>
  (await database.prisma.auditEvent.findMany({ where: { action }, select: { outcome: true, targetId: true, payload: true } })).filter(
    (event) => event.targetId === id || (event.payload as Record<string, unknown>)[targetField] === id,
  );

describe('double submissions of the same decision', () => {
  it('records a review committed many times at once exactly once, and refuses a replay afterwards', async (context) => {
    if (!postgres) return context.skip();
    const { world, as, decide } = casework;
    const search = await world.makeSearch('OP/DOUBLE/1', world.actors.opener.id, world.teamA.id, 3);
    const input = { searchId: search.searchId, decisions: decide(search.candidateIds, ['possible_match', 'no_match', 'inconclusive']) };
    const actions = as(world.actors.opener);
    const results = await Promise.all(Array.from({ length: ATTEMPTS }, () => actions.commit(input)));
    expect(outcomes(results)).toEqual({ succeeded: 1, refusedWith: ['CONFLICT'] });
    expect(await database.prisma.review.count({ where: { searchId: search.searchId } })).toBe(1);
    expect(await database.prisma.adjudication.count({ where: { candidateId: { in: search.candidateIds } } })).toBe(3);

    const replay = await actions.commit(input);
    expect(replay).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(await database.prisma.adjudication.count({ where: { candidateId: { in: search.candidateIds } } })).toBe(3);
    const events = await auditOutcomes('review.commit', 'searchId', search.searchId);
    expect(events.filter((event) => event.outcome === 'success')).toHaveLength(1);
    expect(events.filter((event) => event.outcome === 'refused')).toHaveLength(ATTEMPTS);
  });

  it('lets exactly one of many concurrent decisions on a disclosure request stand, approvals and refusals alike', async (context) => {
    if (!postgres) return context.skip();
    const { world, as } = casework;
    const pending = await casework.pendingDisclosure('OP/DOUBLE/2');
    const supervisor = as(world.actors.supervisor);
    const rationale = 'Both reviews agree and the statement holds.';
    const results = await Promise.all(
      Array.from({ length: ATTEMPTS }, (_, index) => (index % 2 === 0 ? supervisor.approve : supervisor.refuse)({ disclosureId: pending.disclosureId, rationale })),
    );
    // Exactly one decision stands. The losers learn it was already decided (CONFLICT) or, when their
    // transaction ran out of time queued behind the others on a loaded machine, that nothing was
    // changed and they should try again (UNAVAILABLE) — never a crash (INTERNAL).
    const { succeeded, refusedWith } = outcomes(results);
    expect(succeeded).toBe(1);
    expect(refusedWith.filter((code) => code !== 'CONFLICT' && code !== 'UNAVAILABLE')).toEqual([]);
    const busy = results.filter((result) => !result.ok && result.error.code === 'UNAVAILABLE').length;
    if (busy > 0) console.warn(`[double submission] ${busy} of ${ATTEMPTS - 1} losing disclosure decisions timed out queued (UNAVAILABLE, try again)`);
    const decided = await database.prisma.disclosure.findUniqueOrThrow({ where: { id: pending.disclosureId }, select: { status: true } });
    expect(['approved', 'refused']).toContain(decided.status);
    const approvals = await auditOutcomes('disclosure.approve', 'disclosureId', pending.disclosureId);
    const refusals = await auditOutcomes('disclosure.refuse', 'disclosureId', pending.disclosureId);
    expect([...approvals, ...refusals].filter((event) => event.outcome === 'success')).toHaveLength(1);
    expect([...approvals, ...refusals].filter((event) => event.outcome !== 'success')).toHaveLength(ATTEMPTS - 1);
  });

  it('takes a second review once, however many times it is asked for at once, with one shuffled order', async (context) => {
    if (!postgres) return context.skip();
    const { world, as, decide } = casework;
    const search = await world.makeSearch('OP/DOUBLE/3', world.actors.opener.id, world.teamA.id, 3);
    const [c1, c2, c3] = search.candidateIds as [string, string, string];
    expect((await as(world.actors.opener).commit({ searchId: search.searchId, decisions: decide([c1, c2, c3], ['possible_match', 'no_match', 'no_match']) })).ok).toBe(true);
    const reviewer = as(world.actors.teammate);
    const results = await Promise.all(Array.from({ length: ATTEMPTS }, () => reviewer.take({ searchId: search.searchId })));
    // Taking it again is not an error (a reload returns the same review), but only one review exists.
    const ids = new Set(results.filter((result) => result.ok).map((result) => (result as { data: { reviewId: string } }).data.reviewId));
    expect(ids.size).toBe(1);
    expect(results.every((result) => result.ok || result.error.code === 'CONFLICT')).toBe(true);
    expect(await database.prisma.review.count({ where: { searchId: search.searchId, stage: 'second' } })).toBe(1);
  });
});
