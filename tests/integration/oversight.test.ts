import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '@/lib/server/auth/current-actor';
import type { Database } from '@/lib/server/db/database';
import { exportOversightSummary, resolveOversightScope, summariseOversight } from '@/lib/server/dal/oversight';
import type { OversightWeek } from '@/lib/shared/oversight/oversight-summary';
import type { SearchReviewState } from '@/lib/shared/review/review-outcome';
import type { Decision } from '@/lib/shared/schemas/review';
import { buildCaseworkFixture, type CaseworkFixture } from '../support/casework-fixture';
import { openMemoryDatabase } from '../support/test-database';

// The oversight figures on a real PostgreSQL engine (in-memory PGlite): searches, reviews, disputes
// and disclosures written directly across two teams and several ISO weeks, then counted as a
// supervisor (their team), an administrator (all teams) and those who may not see them at all.
let database: Database;
let world: CaseworkFixture;
let secondReviewerB: Actor;

// A Wednesday in 2025-W11; the twelve-week window runs from 2024-W52 (Monday 2024-12-23) to 2025-W11.
const NOW = new Date('2025-03-12T12:00:00Z');
const HOUR = 3_600_000;

type Seed = {
  reference: string;
  team: 'A' | 'B';
  createdAt: string;
  state: SearchReviewState;
  candidates?: number;
  first?: { afterHours: number; decisions: Decision[]; isNoMatchInList?: boolean; corrections?: { index: number; decision: Decision }[] };
  second?: { afterHours: number; decisions: Decision[] };
  dispute?: 'open' | 'resolved';
  override?: boolean;
  disclosure?: { requestedAfterHours: number; decidedAfterHours?: number };
};

async function seed(spec: Seed) {
  const { prisma } = database;
  const searcher = spec.team === 'A' ? world.actors.opener : world.actors.otherTeam;
  const secondReviewer = spec.team === 'A' ? world.actors.teammate : secondReviewerB;
  const made = await world.makeSearch(spec.reference, searcher.id, spec.team === 'A' ? world.teamA.id : world.teamB.id, spec.candidates ?? 3);
  const createdAt = new Date(spec.createdAt);
  const at = (hours: number) => new Date(createdAt.getTime() + hours * HOUR);
  await prisma.search.update({ where: { id: made.searchId }, data: { createdAt, completedAt: createdAt, reviewState: spec.state } });
  if (spec.override) await prisma.probeFace.update({ where: { id: made.probeFaceId }, data: { qualityOverrideReason: 'Only image of the suspect; eyes visible.' } });
  for (const [stage, review, reviewerId] of [
    ['first', spec.first, searcher.id],
    ['second', spec.second, secondReviewer.id],
  ] as const) {
    if (!review) continue;
    const row = await prisma.review.create({
      data: {
        searchId: made.searchId,
        stage,
        reviewerId,
        candidateOrder: made.candidateIds,
        isNoMatchInList: 'isNoMatchInList' in review ? (review.isNoMatchInList ?? false) : false,
        startedAt: createdAt,
        committedAt: at(review.afterHours),
      },
    });
    const ids: string[] = [];
    for (const [index, decision] of review.decisions.entries()) {
      const adjudication = await prisma.adjudication.create({
        data: { reviewId: row.id, candidateId: made.candidateIds[index]!, reviewerId, stage, decision, rationale: 'Test', createdAt: at(review.afterHours) },
      });
      ids.push(adjudication.id);
    }
    for (const correction of ('corrections' in review ? review.corrections : undefined) ?? []) {
      await prisma.adjudication.create({
        data: {
          reviewId: row.id,
          candidateId: made.candidateIds[correction.index]!,
          reviewerId,
          stage,
          decision: correction.decision,
          rationale: 'Corrected',
          supersedesId: ids[correction.index]!,
          correctionReason: 'Looked again at the ears.',
          createdAt: at(review.afterHours + 1),
        },
      });
    }
  }
  if (spec.dispute) {
    await prisma.dispute.create({ data: { searchId: made.searchId, status: spec.dispute, raisedAt: at(spec.second!.afterHours), ...(spec.dispute === 'resolved' ? { resolvedAt: at(48), resolvedById: world.actors.supervisor.id, resolution: { upheld: 'second' }, rationale: 'The ears differ.' } : {}) } });
  }
  if (spec.disclosure) {
    const decided = spec.disclosure.decidedAfterHours;
    await prisma.disclosure.create({
      data: {
        candidateId: made.candidateIds[0]!,
        requestedById: searcher.id,
        statement: 'Both reviewers agree.',
        requestedAt: at(spec.disclosure.requestedAfterHours),
        ...(decided === undefined ? {} : { status: 'approved' as const, decidedAt: at(decided), decidedById: world.actors.supervisor.id, decisionRationale: 'Proportionate.' }),
      },
    });
  }
  return made;
}

const POSSIBLE: Decision[] = ['possible_match', 'no_match', 'no_match'];
const NONE: Decision[] = ['no_match', 'no_match', 'no_match'];

beforeAll(async () => {
  database = await openMemoryDatabase();
  world = await buildCaseworkFixture(database, 'ovs');
  secondReviewerB = await database.prisma.user.create({
    data: { email: 'second.b.ovs@test', displayName: 'Second B', role: 'investigator', passwordHash: 'x', teamId: world.teamB.id },
    select: { id: true, email: true, displayName: true, role: true, teamId: true },
  });
  // Team A — 2025-W09: a confirmed match taken to disclosure, an open dispute, a resolved one.
  await seed({ reference: 'OVS/A1', team: 'A', createdAt: '2025-02-24T10:00:00Z', state: 'confirmed', first: { afterHours: 2, decisions: POSSIBLE }, second: { afterHours: 26, decisions: POSSIBLE }, disclosure: { requestedAfterHours: 30, decidedAfterHours: 50 } });
  await seed({ reference: 'OVS/A2', team: 'A', createdAt: '2025-02-26T09:00:00Z', state: 'disputed', first: { afterHours: 4, decisions: POSSIBLE }, second: { afterHours: 20, decisions: NONE }, dispute: 'open', override: true });
  await seed({ reference: 'OVS/A9', team: 'A', createdAt: '2025-02-27T09:00:00Z', state: 'resolved', first: { afterHours: 3, decisions: POSSIBLE }, second: { afterHours: 10, decisions: NONE }, dispute: 'resolved' });
  // 2025-W10: no match, an inconclusive corrected to no match (so no match), and an inconclusive.
  await seed({ reference: 'OVS/A3', team: 'A', createdAt: '2025-03-03T08:00:00Z', state: 'no_possible_match', first: { afterHours: 6, decisions: NONE } });
  await seed({ reference: 'OVS/A4', team: 'A', createdAt: '2025-03-04T08:00:00Z', state: 'no_possible_match', first: { afterHours: 5, decisions: ['inconclusive', 'no_match', 'no_match'], corrections: [{ index: 0, decision: 'no_match' }] } });
  await seed({ reference: 'OVS/A5', team: 'A', createdAt: '2025-03-05T08:00:00Z', state: 'no_possible_match', first: { afterHours: 8, decisions: ['no_match', 'inconclusive', 'no_match'] } });
  // 2025-W11: no match in this list, one awaiting its first review (a quality override), one awaiting its second.
  await seed({ reference: 'OVS/A6', team: 'A', createdAt: '2025-03-10T08:00:00Z', state: 'no_match_in_list', first: { afterHours: 1, decisions: NONE, isNoMatchInList: true } });
  await seed({ reference: 'OVS/A7', team: 'A', createdAt: '2025-03-11T08:00:00Z', state: 'awaiting_first_review', override: true });
  await seed({ reference: 'OVS/A10', team: 'A', createdAt: '2025-03-11T09:00:00Z', state: 'awaiting_second_review', first: { afterHours: 2, decisions: POSSIBLE } });
  // Before the window (2024-W51): not counted.
  await seed({ reference: 'OVS/A8', team: 'A', createdAt: '2024-12-20T08:00:00Z', state: 'confirmed', first: { afterHours: 1, decisions: POSSIBLE }, second: { afterHours: 2, decisions: POSSIBLE } });

  // Team B — the first instant of the window, a search that listed nobody; a confirmed match in W10
  // with a pending disclosure; one awaiting review in W11; one in the week after NOW (not counted).
  await seed({ reference: 'OVS/B3', team: 'B', createdAt: '2024-12-23T00:00:00Z', state: 'no_match_in_list', candidates: 0 });
  await seed({ reference: 'OVS/B1', team: 'B', createdAt: '2025-03-06T12:00:00Z', state: 'confirmed', first: { afterHours: 1, decisions: POSSIBLE }, second: { afterHours: 3, decisions: POSSIBLE }, override: true, disclosure: { requestedAfterHours: 4 } });
  await seed({ reference: 'OVS/B2', team: 'B', createdAt: '2025-03-12T09:00:00Z', state: 'awaiting_first_review' });
  await seed({ reference: 'OVS/B4', team: 'B', createdAt: '2025-03-17T00:00:00Z', state: 'awaiting_first_review' });
}, 120_000);
afterAll(async () => database?.close());

function weekOf(weeks: OversightWeek[], label: string): OversightWeek {
  const week = weeks.find((entry) => entry.week === label);
  if (!week) throw new Error(`no ${label}`);
  return week;
}

const ZERO_OUTCOMES = { confirmed: 0, disputed: 0, inconclusive: 0, no_match: 0, no_match_in_list: 0, awaiting_review: 0, failed: 0 };

describe('oversight figures', () => {
  it('counts a supervisor’s own team, week by week, for the twelve ISO weeks ending now', async () => {
    const summary = await summariseOversight(world.actors.supervisor, { now: NOW }, database.prisma);
    expect(summary.scope).toEqual({ kind: 'team', teamId: world.teamA.id, teamName: world.teamA.name });
    expect(summary.weeks.map((week) => week.week)).toEqual([
      '2024-W52',
      '2025-W01',
      '2025-W02',
      '2025-W03',
      '2025-W04',
      '2025-W05',
      '2025-W06',
      '2025-W07',
      '2025-W08',
      '2025-W09',
      '2025-W10',
      '2025-W11',
    ]);
    expect(summary.weeks[0]!.weekStart).toBe('2024-12-23');
    expect(summary.totalSearches).toBe(9);
    // Every search of the team counts, not only those where a decision is asked of the supervisor.
    expect(weekOf(summary.weeks, '2025-W09')).toEqual({
      week: '2025-W09',
      weekStart: '2025-02-24',
      searches: 3,
      outcomes: { ...ZERO_OUTCOMES, confirmed: 1, disputed: 2 },
      secondReviews: 3,
      disputes: 2,
      disagreementRate: 0.6667,
      qualityOverrides: 1,
      toFirstReview: { hours: 3, count: 3 },
      toDisclosureRequest: { hours: 30, count: 1 },
      toDisclosureDecision: { hours: 50, count: 1 },
    });
    expect(weekOf(summary.weeks, '2025-W10')).toMatchObject({
      searches: 3,
      // The corrected decision is the one in force: OVS/A4 is no match, OVS/A5 inconclusive.
      outcomes: { ...ZERO_OUTCOMES, no_match: 2, inconclusive: 1 },
      secondReviews: 0,
      disputes: 0,
      disagreementRate: null,
      qualityOverrides: 0,
      toFirstReview: { hours: 6, count: 3 },
      toDisclosureRequest: { hours: null, count: 0 },
    });
    expect(weekOf(summary.weeks, '2025-W11')).toMatchObject({
      searches: 3,
      outcomes: { ...ZERO_OUTCOMES, no_match_in_list: 1, awaiting_review: 2 },
      qualityOverrides: 1,
      toFirstReview: { hours: 1.5, count: 2 },
    });
    expect(weekOf(summary.weeks, '2024-W52')).toMatchObject({ searches: 0, outcomes: ZERO_OUTCOMES, toFirstReview: { hours: null, count: 0 } });
  });

  it('shows the other team’s supervisor only their team', async () => {
    const summary = await summariseOversight(world.actors.otherSupervisor, { now: NOW }, database.prisma);
    expect(summary.scope).toMatchObject({ kind: 'team', teamId: world.teamB.id });
    expect(summary.totalSearches).toBe(3);
    // The window's first instant counts; a search that listed nobody is "no match in this list".
    expect(weekOf(summary.weeks, '2024-W52')).toMatchObject({ searches: 1, outcomes: { ...ZERO_OUTCOMES, no_match_in_list: 1 } });
    expect(weekOf(summary.weeks, '2025-W09').searches).toBe(0);
    expect(weekOf(summary.weeks, '2025-W10')).toMatchObject({ searches: 1, outcomes: { ...ZERO_OUTCOMES, confirmed: 1 }, secondReviews: 1, disagreementRate: 0, qualityOverrides: 1 });
    expect(weekOf(summary.weeks, '2025-W11')).toMatchObject({ searches: 1, outcomes: { ...ZERO_OUTCOMES, awaiting_review: 1 } });
  });

  it('shows an administrator every team', async () => {
    const summary = await summariseOversight(world.actors.admin, { now: NOW }, database.prisma);
    expect(summary.scope).toEqual({ kind: 'all' });
    expect(summary.totalSearches).toBe(12);
    expect(weekOf(summary.weeks, '2025-W10')).toMatchObject({
      searches: 4,
      outcomes: { ...ZERO_OUTCOMES, confirmed: 1, no_match: 2, inconclusive: 1 },
      secondReviews: 1,
      disputes: 0,
      disagreementRate: 0,
      qualityOverrides: 1,
      toFirstReview: { hours: 5.5, count: 4 },
      toDisclosureRequest: { hours: 4, count: 1 },
      toDisclosureDecision: { hours: null, count: 0 },
    });
    expect(weekOf(summary.weeks, '2025-W11').searches).toBe(4);
  });

  it('narrows or widens the window on request', async () => {
    const summary = await summariseOversight(world.actors.admin, { now: NOW, weeks: 2 }, database.prisma);
    expect(summary.weeks.map((week) => week.week)).toEqual(['2025-W10', '2025-W11']);
    expect(summary.totalSearches).toBe(8);
  });

  it('refuses investigators and a supervisor without a team', async () => {
    const teamless: Actor = { ...world.actors.supervisor, teamId: null };
    expect(resolveOversightScope(teamless)).toEqual({ kind: 'none' });
    expect(resolveOversightScope(world.actors.opener)).toEqual({ kind: 'none' });
    await expect(summariseOversight(world.actors.opener, { now: NOW }, database.prisma)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(summariseOversight(teamless, { now: NOW }, database.prisma)).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('oversight export', () => {
  async function lastAudit() {
    return database.prisma.auditEvent.findFirstOrThrow({ orderBy: { sequence: 'desc' } });
  }

  it('writes the supervisor’s figures as CSV and audits the download', async () => {
    const file = await exportOversightSummary(world.actors.supervisor, { format: 'csv', now: NOW }, database.prisma);
    expect(file.contentType).toBe('text/csv; charset=utf-8');
    expect(file.filename).toBe(`oversight-team-a-ovs-2024-W52-to-2025-W11.csv`);
    const lines = file.body.split('\r\n');
    expect(lines).toHaveLength(14); // header, twelve weeks, and the final line break
    expect(lines[0]!.split(',').slice(0, 4)).toEqual(['week', 'week_start', 'searches', 'outcome_confirmed']);
    expect(lines[1]).toBe('2024-W52,2024-12-23,0,0,0,0,0,0,0,0,0,0,,0,,0,,0,,0');
    expect(lines[10]).toBe('2025-W09,2025-02-24,3,1,2,0,0,0,0,0,3,2,0.6667,1,3,3,30,1,50,1');
    expect(lines[11]).toBe('2025-W10,2025-03-03,3,0,0,1,2,0,0,0,0,0,,0,6,3,,0,,0');
    expect(lines[12]).toBe('2025-W11,2025-03-10,3,0,0,0,0,1,2,0,0,0,,1,1.5,2,,0,,0');
    // Counts only: nothing of the cases behind them.
    expect(file.body).not.toMatch(/OVS\/|Secret Name/);
    expect(await lastAudit()).toMatchObject({
      action: 'oversight.export',
      outcome: 'success',
      actorId: world.actors.supervisor.id,
      targetType: 'oversight',
      targetId: world.teamA.id,
      payload: { format: 'csv', scope: 'team', firstWeek: '2024-W52', lastWeek: '2025-W11', weeks: 12, totalSearches: 9 },
    });
  });

  it('writes all teams’ figures as JSON with their definitions for an administrator', async () => {
    const file = await exportOversightSummary(world.actors.admin, { format: 'json', now: NOW }, database.prisma);
    expect(file.filename).toBe('oversight-all-teams-2024-W52-to-2025-W11.json');
    const parsed = JSON.parse(file.body);
    expect(parsed.scope).toEqual({ kind: 'all' });
    expect(parsed.totalSearches).toBe(12);
    expect(parsed.weeks).toHaveLength(12);
    expect(Object.keys(parsed.definitions.outcomes)).toContain('no_match_in_list');
    expect(file.body).not.toMatch(/OVS\/|Secret Name/);
    expect(await lastAudit()).toMatchObject({ action: 'oversight.export', outcome: 'success', targetId: 'all-teams', payload: { scope: 'all', totalSearches: 12 } });
  });

  it('refuses an investigator, and audits the refusal', async () => {
    await expect(exportOversightSummary(world.actors.teammate, { format: 'csv', now: NOW }, database.prisma)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await lastAudit()).toMatchObject({ action: 'oversight.export', outcome: 'refused', actorId: world.actors.teammate.id, payload: { format: 'csv' } });
  });
});
