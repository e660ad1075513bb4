import 'server-only';
import { getPrisma, type Db } from '@/lib/server/db/database';
import type { Prisma, PrismaClient } from '@/lib/server/generated/prisma/client';
import { appendAuditEvent, recordAuditEvent, type AuditEntry } from '@/lib/server/audit/append-audit-event';
import type { Actor } from '@/lib/server/auth/current-actor';
import { AppError } from '@/lib/shared/errors';
import { hasPermission } from '@/lib/shared/permissions';
import { isoWeekLabel, lastIsoWeeks, WEEK_MS } from '@/lib/shared/oversight/iso-week';
import {
  median,
  OVERSIGHT_OUTCOMES,
  oversightToCsv,
  oversightToJson,
  type MedianFigure,
  type OversightOutcome,
  type OversightScopeView,
  type OversightSummary,
  type OversightWeek,
} from '@/lib/shared/oversight/oversight-summary';

/**
 * Whose searches the oversight figures count. This is deliberately NOT the casework visibility rule
 * of visibility.ts, and it must never be used to read case content:
 *
 * - `whereVisible` answers "may this person look at this case?" A supervisor may look only at the
 *   cases where a decision is asked of them, and an administrator at none.
 * - Oversight answers "how is the team's use of facial recognition going?" That needs every search
 *   of the team — above all the ones nobody escalated, or the figures would only describe disputes
 *   and disclosures. What leaves this module is counts and medians per week: no case reference, no
 *   person, no face, no id. A supervisor sees their own team's; an administrator, who answers for
 *   the system as a whole, sees all teams'.
 *
 * Fails closed: any other role, or a supervisor without a team, gets no scope at all.
 */
export type OversightScope = { kind: 'team'; teamId: string } | { kind: 'all' } | { kind: 'none' };

export function resolveOversightScope(actor: Pick<Actor, 'role' | 'teamId'>): OversightScope {
  if (!hasPermission(actor.role, 'oversight:read')) return { kind: 'none' };
  if (actor.role === 'admin') return { kind: 'all' };
  if (actor.role === 'supervisor' && actor.teamId) return { kind: 'team', teamId: actor.teamId };
  return { kind: 'none' };
}

// Matches nothing: a valid UUID no row can have (uuid() never generates the nil UUID).
const NO_CASE: Prisma.CaseWhereInput = { id: '00000000-0000-0000-0000-000000000000' };

/** The cases whose searches count towards this actor's oversight aggregates (for counting only; see above). */
export function whereCountedForOversight(actor: Pick<Actor, 'role' | 'teamId'>): Prisma.CaseWhereInput {
  const scope = resolveOversightScope(actor);
  if (scope.kind === 'all') return {};
  if (scope.kind === 'team') return { teamId: scope.teamId };
  return NO_CASE;
}

export const DEFAULT_OVERSIGHT_WEEKS = 12;
export const MAX_OVERSIGHT_WEEKS = 52;

export type OversightOptions = { weeks?: number; now?: Date };

const HOUR_MS = 3_600_000;

function roundTo(value: number, places: number): number {
  const factor = 10 ** places;
  return Math.round(value * factor) / factor;
}

function medianFigure(hours: number[]): MedianFigure {
  const middle = median(hours);
  return { hours: middle === null ? null : roundTo(middle, 2), count: hours.length };
}

function earliest(dates: (Date | null)[]): Date | null {
  let first: Date | null = null;
  for (const date of dates) if (date && (!first || date < first)) first = date;
  return first;
}

// The fields one search contributes to the figures: timestamps, states and counts, nothing that
// identifies a case, a person or a face.
const searchFigureSelect = {
  createdAt: true,
  status: true,
  reviewState: true,
  probeFace: { select: { qualityOverrideReason: true } },
  reviews: { where: { committedAt: { not: null } }, select: { stage: true, committedAt: true } },
  dispute: { select: { id: true } },
  _count: {
    select: {
      // Candidates whose first-review decision in force (one no correction supersedes) is inconclusive.
      candidates: { where: { adjudications: { some: { stage: 'first', decision: 'inconclusive', correction: { is: null } } } } },
    },
  },
  candidates: { where: { disclosures: { some: {} } }, select: { disclosures: { select: { requestedAt: true, decidedAt: true } } } },
} satisfies Prisma.SearchSelect;

type SearchFigures = Prisma.SearchGetPayload<{ select: typeof searchFigureSelect }>;

function outcomeOf(search: SearchFigures): OversightOutcome {
  if (search.status === 'failed') return 'failed';
  switch (search.reviewState) {
    case 'confirmed':
      return 'confirmed';
    case 'disputed':
    case 'resolved':
      return 'disputed';
    case 'no_match_in_list':
      return 'no_match_in_list';
    case 'no_possible_match':
      return search._count.candidates > 0 ? 'inconclusive' : 'no_match';
    case 'awaiting_first_review':
    case 'awaiting_second_review':
      return 'awaiting_review';
  }
}

function summariseWeek(weekStart: Date, searches: SearchFigures[]): OversightWeek {
  const outcomes = Object.fromEntries(OVERSIGHT_OUTCOMES.map((outcome) => [outcome, 0])) as Record<OversightOutcome, number>;
  let secondReviews = 0;
  let disputes = 0;
  let qualityOverrides = 0;
  const toFirstReview: number[] = [];
  const toRequest: number[] = [];
  const toDecision: number[] = [];
  for (const search of searches) {
    outcomes[outcomeOf(search)] += 1;
    const since = (date: Date) => (date.getTime() - search.createdAt.getTime()) / HOUR_MS;
    const firstCommitted = search.reviews.find((review) => review.stage === 'first')?.committedAt;
    if (firstCommitted) toFirstReview.push(since(firstCommitted));
    if (search.reviews.some((review) => review.stage === 'second')) {
      secondReviews += 1;
      if (search.dispute) disputes += 1;
    }
    if (search.probeFace.qualityOverrideReason?.trim()) qualityOverrides += 1;
    const disclosures = search.candidates.flatMap((candidate) => candidate.disclosures);
    const requested = earliest(disclosures.map((disclosure) => disclosure.requestedAt));
    const decided = earliest(disclosures.map((disclosure) => disclosure.decidedAt));
    if (requested) toRequest.push(since(requested));
    if (decided) toDecision.push(since(decided));
  }
  return {
    week: isoWeekLabel(weekStart),
    weekStart: weekStart.toISOString().slice(0, 10),
    searches: searches.length,
    outcomes,
    secondReviews,
    disputes,
    disagreementRate: secondReviews === 0 ? null : roundTo(disputes / secondReviews, 4),
    qualityOverrides,
    toFirstReview: medianFigure(toFirstReview),
    toDisclosureRequest: medianFigure(toRequest),
    toDisclosureDecision: medianFigure(toDecision),
  };
}

/**
 * The oversight figures per ISO week (UTC) for the `weeks` weeks ending with the current one.
 *
 * Computed in TypeScript over one bounded query rather than in SQL: the window bounds the rows (the
 * searches of at most a year, usually twelve weeks, of a team or of the force), each row is a few
 * timestamps and states, and the scope stays the typed Prisma filter above instead of a second copy
 * of it in SQL. The outcome rules reuse the review states the review flow stores and the same
 * "decision in force" rule as the bench. Were the volume ever to make this slow, the same figures are
 * a GROUP BY date_trunc('week', created_at) with percentile_cont(0.5) away.
 */
export async function summariseOversight(actor: Actor, options: OversightOptions = {}, db?: Db): Promise<OversightSummary> {
  const scope = resolveOversightScope(actor);
  if (scope.kind === 'none') throw new AppError('FORBIDDEN', 'Oversight figures are for supervisors (their team) and administrators.');
  db ??= await getPrisma();
  const now = options.now ?? new Date();
  const weekCount = Math.min(MAX_OVERSIGHT_WEEKS, Math.max(1, Math.trunc(options.weeks ?? DEFAULT_OVERSIGHT_WEEKS)));
  const weekStarts = lastIsoWeeks(now, weekCount);
  const from = weekStarts[0]!;
  const to = new Date(weekStarts.at(-1)!.getTime() + WEEK_MS);

  const [team, searches] = await Promise.all([
    scope.kind === 'team' ? db.team.findUnique({ where: { id: scope.teamId }, select: { name: true } }) : null,
    db.search.findMany({ where: { createdAt: { gte: from, lt: to }, case: whereCountedForOversight(actor) }, select: searchFigureSelect }),
  ]);

  const byWeek = new Map<number, SearchFigures[]>(weekStarts.map((start) => [start.getTime(), []]));
  for (const search of searches) {
    const index = Math.floor((search.createdAt.getTime() - from.getTime()) / WEEK_MS);
    byWeek.get(weekStarts[index]!.getTime())!.push(search);
  }
  const scopeView: OversightScopeView = scope.kind === 'team' ? { kind: 'team', teamId: scope.teamId, teamName: team?.name ?? 'unknown team' } : { kind: 'all' };
  return {
    generatedAt: now.toISOString(),
    timeZone: 'UTC',
    scope: scopeView,
    weeks: weekStarts.map((start) => summariseWeek(start, byWeek.get(start.getTime())!)),
    totalSearches: searches.length,
  };
}

export type OversightExportFormat = 'csv' | 'json';
export type OversightExportFile = { filename: string; contentType: string; body: string };

async function writeAudit(db: Db, entry: AuditEntry): Promise<void> {
  // A PrismaClient opens its own short transaction; a caller's transaction carries the event with it.
  if ('$transaction' in db) await recordAuditEvent(db as PrismaClient, entry);
  else await appendAuditEvent(db, entry);
}

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'team'
  );
}

/**
 * The same figures as a file to download, audited as `oversight.export`: the figures leave the
 * system, so who took which weeks of which teams is recorded — and a refusal too. No file is handed
 * out unless its audit record was written.
 */
export async function exportOversightSummary(actor: Actor, options: OversightOptions & { format: OversightExportFormat }, db?: Db): Promise<OversightExportFile> {
  db ??= await getPrisma();
  const scope = resolveOversightScope(actor);
  const base = { actorId: actor.id, actorRole: actor.role, action: 'oversight.export', targetType: 'oversight' } as const;
  if (scope.kind === 'none') {
    await writeAudit(db, { ...base, outcome: 'refused', targetId: null, payload: { format: options.format, permission: 'oversight:read' } });
    throw new AppError('FORBIDDEN', 'Oversight figures are for supervisors (their team) and administrators.');
  }
  const summary = await summariseOversight(actor, options, db);
  const firstWeek = summary.weeks[0]!.week;
  const lastWeek = summary.weeks.at(-1)!.week;
  try {
    await writeAudit(db, {
      ...base,
      outcome: 'success',
      targetId: scope.kind === 'team' ? scope.teamId : 'all-teams',
      payload: { format: options.format, scope: scope.kind, firstWeek, lastWeek, weeks: summary.weeks.length, totalSearches: summary.totalSearches },
    });
  } catch {
    throw new AppError('AUDIT_UNAVAILABLE', 'The download could not be recorded in the audit log, so it was not made. Try again shortly.');
  }
  const name = `oversight-${summary.scope.kind === 'team' ? slug(summary.scope.teamName) : 'all-teams'}-${firstWeek}-to-${lastWeek}`;
  return options.format === 'csv'
    ? { filename: `${name}.csv`, contentType: 'text/csv; charset=utf-8', body: oversightToCsv(summary) }
    : { filename: `${name}.json`, contentType: 'application/json; charset=utf-8', body: oversightToJson(summary) };
}
