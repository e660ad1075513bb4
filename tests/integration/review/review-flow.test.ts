import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActionDefiner } from '@/lib/server/actions/create-action-definer';
import { commitReviewSpec, correctDecisionSpec, requestDisclosureSpec, takeSecondReviewSpec } from '@/lib/server/actions/specs/review';
import type { Actor } from '@/lib/server/auth/current-actor';
import type { Database } from '@/lib/server/db/database';
import { findSearchReviewForActor } from '@/lib/server/dal/search-review';
import { listSecondReviewQueue } from '@/lib/server/dal/searches';
import type { Decision } from '@/lib/shared/schemas/review';
import { buildCaseworkFixture, type CaseworkFixture } from '../../support/casework-fixture';
import { openMemoryDatabase } from '../../support/test-database';

// The review flow through the same action specifications and wrapper the server actions use, on a
// real PostgreSQL engine (in-memory PGlite): what matters is what lands in the database and the log.
let database: Database;
let world: CaseworkFixture;
let actor: Actor | null = null;

const define = () => createActionDefiner({ getActor: async () => actor, getPrisma: async () => database.prisma, logError: () => {} });
let commit: ReturnType<typeof defineCommit>;
let take: ReturnType<typeof defineTake>;
let request: ReturnType<typeof defineRequest>;
let correct: ReturnType<typeof defineCorrect>;
const defineCommit = () => define()(commitReviewSpec);
const defineTake = () => define()(takeSecondReviewSpec);
const defineRequest = () => define()(requestDisclosureSpec);
const defineCorrect = () => define()(correctDecisionSpec);

beforeAll(async () => {
  database = await openMemoryDatabase();
  world = await buildCaseworkFixture(database, 'flow');
  commit = defineCommit();
  take = defineTake();
  request = defineRequest();
  correct = defineCorrect();
}, 60_000);
afterAll(async () => database?.close());

function as(name: keyof CaseworkFixture['actors']) {
  actor = world.actors[name];
}

async function lastAudit() {
  return database.prisma.auditEvent.findFirstOrThrow({ orderBy: { sequence: 'desc' } });
}

function decide(ids: string[], decisions: Decision[], rationale = 'Same nose bridge and ear lobes.') {
  return ids.map((candidateId, index) => ({ candidateId, decision: decisions[index]!, rationale: decisions[index] === 'no_match' ? '' : rationale, checklist: { nose: 'similar' as const } }));
}

async function searchState(searchId: string) {
  return (await database.prisma.search.findUniqueOrThrow({ where: { id: searchId }, select: { reviewState: true } })).reviewState;
}

describe('first review, blind second review, confirmation and disclosure', () => {
  it('walks a search from first review to a confirmed possible match and a disclosure request', async () => {
    const s = await world.makeSearch('FLOW/1', world.actors.opener.id, world.teamA.id);
    const [c1, c2, c3] = s.candidateIds as [string, string, string];

    // A possible match without a rationale is refused by validation; nothing is recorded.
    as('opener');
    const missing = await commit({ searchId: s.searchId, decisions: [{ candidateId: c1, decision: 'possible_match', rationale: '' }, ...decide([c2, c3], ['no_match', 'no_match'])] });
    expect(missing).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(await database.prisma.adjudication.count({ where: { candidateId: c1 } })).toBe(0);

    // Supervisors and administrators do not adjudicate: refused by role, audited.
    for (const name of ['supervisor', 'admin'] as const) {
      as(name);
      expect(await commit({ searchId: s.searchId, decisions: decide([c1, c2, c3], ['no_match', 'no_match', 'no_match']) })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      expect(await lastAudit()).toMatchObject({ action: 'review.commit', outcome: 'refused' });
    }
    // Another team cannot see it at all; a teammate cannot do the searcher's first review.
    as('otherTeam');
    expect(await commit({ searchId: s.searchId, decisions: decide([c1, c2, c3], ['no_match', 'no_match', 'no_match']) })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    as('teammate');
    expect(await commit({ searchId: s.searchId, decisions: decide([c1, c2, c3], ['no_match', 'no_match', 'no_match']) })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    // An incomplete review is refused.
    as('opener');
    expect(await commit({ searchId: s.searchId, decisions: decide([c1], ['possible_match']) })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });

    const first = await commit({ searchId: s.searchId, decisions: decide([c1, c2, c3], ['possible_match', 'no_match', 'inconclusive']) });
    expect(first).toMatchObject({ ok: true, data: { outcome: 'awaiting_second_review' } });
    expect(await commit({ searchId: s.searchId, decisions: decide([c1, c2, c3], ['no_match', 'no_match', 'no_match']) })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });

    // The first reviewer cannot take their own second review.
    expect(await take({ searchId: s.searchId })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await lastAudit()).toMatchObject({ action: 'review.take_second', outcome: 'refused', actorId: world.actors.opener.id });
    expect((await listSecondReviewQueue(world.actors.teammate, database.prisma)).map((item) => item.searchId)).toContain(s.searchId);
    as('otherTeam');
    expect(await take({ searchId: s.searchId })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });

    as('teammate');
    expect(await take({ searchId: s.searchId })).toMatchObject({ ok: true });
    as('thirdTeammate');
    expect(await take({ searchId: s.searchId })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect((await listSecondReviewQueue(world.actors.thirdTeammate, database.prisma)).map((item) => item.searchId)).not.toContain(s.searchId);

    // What the second reviewer's browser receives: faces only, in a shuffled order, nothing of the
    // ranking, the identities, the scores or the first review.
    const blind = await findSearchReviewForActor(world.actors.teammate, s.searchId, { stage: 'second' }, database.prisma);
    expect(blind?.kind).toBe('bench');
    if (blind?.kind !== 'bench') throw new Error('unreachable');
    const payload = JSON.stringify(blind.view);
    expect(payload).not.toMatch(/Secret Name|FLOW\/1-S|nose bridge|possible_match|inconclusive|rawScore|falseMatchRate|expectedFpir|"rank"|enrolled/);
    expect(blind.view.candidates.every((candidate) => candidate.revealed === null && candidate.committed.length === 0)).toBe(true);
    // Which probe face scored best is a hint from the scores: a blind reviewer is not told it.
    expect(blind.view.candidates.map((candidate) => candidate.bestProbeFaceId)).toEqual(blind.view.candidates.map(() => null));
    expect(new Set(blind.view.candidates.map((candidate) => candidate.id))).toEqual(new Set([c1, c2, c3]));
    // The search page itself sends them to the blind page rather than showing the results.
    expect(await findSearchReviewForActor(world.actors.teammate, s.searchId, {}, database.prisma)).toEqual({ kind: 'second_review', searchId: s.searchId });
    // A third teammate sees that the search is under review, not its candidates.
    expect((await findSearchReviewForActor(world.actors.thirdTeammate, s.searchId, {}, database.prisma))?.kind).toBe('under_review');

    as('teammate');
    const order = blind.view.candidates.map((candidate) => candidate.id);
    const second = await commit({ searchId: s.searchId, decisions: decide(order, order.map((id) => (id === c1 ? 'possible_match' : id === c2 ? 'no_match' : 'inconclusive'))) });
    expect(second).toMatchObject({ ok: true, data: { outcome: 'confirmed' } });

    // Disclosure only for the confirmed candidate, once while pending.
    expect(await request({ candidateId: c2, statement: 'Not a confirmed match, should be refused.' })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(await request({ candidateId: c1, statement: 'Both reviewers saw the same scar and ears.' })).toMatchObject({ ok: true });
    expect(await request({ candidateId: c1, statement: 'A second request for the same candidate.' })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    as('otherTeam');
    expect(await request({ candidateId: c1, statement: 'Replayed by another team member.' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await database.prisma.disclosure.count({ where: { candidateId: c1 } })).toBe(1);

    // Once both are committed, the team sees both reviews side by side.
    const after = await findSearchReviewForActor(world.actors.thirdTeammate, s.searchId, {}, database.prisma);
    if (after?.kind !== 'bench') throw new Error('expected the finished review');
    expect(after.comparison?.find((row) => row.candidateId === c1)).toMatchObject({ isConfirmed: true, isDisagreement: false, disclosure: { status: 'pending' } });
    // The supervisor can now see the case (a decision is asked of them).
    expect(await findSearchReviewForActor(world.actors.supervisor, s.searchId, {}, database.prisma)).not.toBeNull();
  });

  it('sends a disagreement to the supervisor as a dispute, and a correction appends', async () => {
    const s = await world.makeSearch('FLOW/2', world.actors.opener.id, world.teamA.id, 2);
    const [c1, c2] = s.candidateIds as [string, string];
    as('opener');
    expect(await commit({ searchId: s.searchId, decisions: decide([c1, c2], ['possible_match', 'no_match']) })).toMatchObject({ ok: true });
    // Before the second review, the first reviewer corrects a decision: a new record with its reason.
    expect(await correct({ candidateId: c2, decision: 'inconclusive', rationale: 'The ear may match.', reason: 'Looked again at full size' })).toMatchObject({ ok: true });
    const history = await database.prisma.adjudication.findMany({ where: { candidateId: c2 }, orderBy: { createdAt: 'asc' } });
    expect(history.map((record) => [record.decision, record.correctionReason])).toEqual([['no_match', null], ['inconclusive', 'Looked again at full size']]);
    expect(history[1]!.supersedesId).toBe(history[0]!.id);

    as('teammate');
    expect(await take({ searchId: s.searchId })).toMatchObject({ ok: true });
    expect(await commit({ searchId: s.searchId, decisions: decide([c1, c2], ['no_match', 'inconclusive']) })).toMatchObject({ ok: true, data: { outcome: 'disputed' } });
    expect(await searchState(s.searchId)).toBe('disputed');
    expect(await database.prisma.dispute.findUnique({ where: { searchId: s.searchId } })).toMatchObject({ status: 'open' });
    // A disputed candidate cannot go to disclosure.
    expect(await request({ candidateId: c1, statement: 'Trying to disclose a disputed lead.' })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
  });

  it('records "no match in this list" as an outcome of its own', async () => {
    const s = await world.makeSearch('FLOW/3', world.actors.opener.id, world.teamA.id, 2);
    as('opener');
    expect(await commit({ searchId: s.searchId, isNoMatchInList: true, decisions: decide(s.candidateIds, ['no_match', 'possible_match']) })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(await commit({ searchId: s.searchId, isNoMatchInList: true, decisions: decide(s.candidateIds, ['no_match', 'no_match']) })).toMatchObject({ ok: true, data: { outcome: 'no_match_in_list' } });
    expect((await listSecondReviewQueue(world.actors.teammate, database.prisma)).map((item) => item.searchId)).not.toContain(s.searchId);
  });
});
