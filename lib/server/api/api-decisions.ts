import 'server-only';
import { createHash } from 'node:crypto';
import { commitReviewSpec } from '@/lib/server/actions/specs/review';
import { z } from 'zod';
import { canonicalJson, type Canonicalizable } from '@/lib/shared/canonical-json';
import { decisionsRequestSchema } from '@/lib/shared/schemas/api-v1';
import { problemFromActionError, type ApiCall } from './api-call';
import { jsonResponse } from './api-response';
import { readApiSearch } from './api-search';
import type { PostOutcome } from './idempotent-post';

export const DECISIONS_AUDIT_ACTION = 'api.search.decide';

export function digestJson(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value as Canonicalizable)).digest('hex');
}

async function asOutcome(response: Response): Promise<PostOutcome> {
  return { status: response.status, body: await response.clone().json(), response };
}

/**
 * The officer's decision on every candidate, recorded as the first review of the search through the
 * workstation's own `review.commit` (the service account ran the search, so it holds the first
 * review). A possible match then waits for the blind second review by an investigator of the team,
 * exactly as a workstation search does.
 */
export async function decideApiSearch(call: ApiCall, searchId: string, body: unknown): Promise<PostOutcome> {
  const parsed = decisionsRequestSchema.safeParse(body);
  const operatorGuess = typeof (body as { operator?: unknown } | null)?.operator === 'string' ? String((body as { operator: string }).operator).trim().slice(0, 200) || null : null;
  if (!parsed.success) {
    const errors: Record<string, string[]> = {};
    for (const issue of parsed.error.issues) (errors[issue.path.join('.') || '_'] ??= []).push(issue.message);
    return asOutcome(await call.refuse('VALIDATION', `Some fields need attention: ${Object.keys(errors).join(', ')}.`, { action: DECISIONS_AUDIT_ACTION, operatorId: operatorGuess, errors, payload: { searchId } }));
  }
  const input = parsed.data;
  const read = z.uuid().safeParse(searchId).success ? await readApiSearch(call.prisma, call.actor, searchId) : null;
  if (!read) return asOutcome(await call.refuse('NOT_FOUND', 'No such search for this client.', { action: DECISIONS_AUDIT_ACTION, operatorId: input.operator, payload: { searchId } }));
  const byRank = new Map(read.body.candidates.map((candidate) => [candidate.rank, candidate.id]));
  const unknown = input.decisions.filter((entry) => entry.rank !== undefined && !byRank.has(entry.rank)).map((entry) => entry.rank);
  if (unknown.length > 0) {
    return asOutcome(await call.refuse('VALIDATION', `This search has no candidate at rank ${unknown.join(', ')}.`, { action: DECISIONS_AUDIT_ACTION, operatorId: input.operator, errors: { decisions: ['Unknown rank.'] }, payload: { searchId } }));
  }
  const decisions = input.decisions.map((entry) => ({ candidateId: entry.candidateId ?? byRank.get(entry.rank!)!, decision: entry.decision, rationale: entry.rationale ?? '' }));
  const committed = await call.defineAction(input.operator)(commitReviewSpec)({ searchId, decisions, isNoMatchInList: input.noMatchInList ?? false });
  if (!committed.ok) return asOutcome(problemFromActionError(call, committed.error));
  const after = await call.prisma.search.findUniqueOrThrow({ where: { id: searchId }, select: { reviewState: true, reviews: { where: { stage: 'first' }, select: { committedAt: true } } } });
  const rankOf = new Map(read.body.candidates.map((candidate) => [candidate.id, candidate.rank]));
  const result = {
    searchId,
    stage: 'first' as const,
    reviewState: after.reviewState,
    committedAt: (after.reviews[0]?.committedAt ?? new Date()).toISOString(),
    decisions: decisions.map((entry) => ({ candidateId: entry.candidateId, rank: rankOf.get(entry.candidateId) ?? 0, decision: entry.decision })),
  };
  return { status: 201, body: result, response: jsonResponse(201, result) };
}
