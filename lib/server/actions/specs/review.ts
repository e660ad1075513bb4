import 'server-only';
import { randomInt } from 'node:crypto';
import { specifyAction } from '@/lib/server/actions/create-action-definer';
import type { TransactionClient } from '@/lib/server/db/database';
import type { Actor } from '@/lib/server/auth/current-actor';
import { whereVisible } from '@/lib/server/dal/visibility';
import { latestDecisions, settleReviewState } from '@/lib/server/review/review-records';
import { AppError } from '@/lib/shared/errors';
import { finalDecision, readResolution } from '@/lib/shared/review/dispute-resolution';
import { confirmedCandidates } from '@/lib/shared/review/review-outcome';
import { commitReviewSchema, correctDecisionSchema, requestDisclosureSchema, takeSecondReviewSchema, type ReviewStage } from '@/lib/shared/schemas/review';

// The human half of a search. The investigator who ran the search reviews it first, in rank order;
// a search with any "possible match" then needs a second, blind review by another investigator of the
// team, who sees the candidates shuffled and nothing of the first review. Only a candidate both called
// a possible match may go to a supervisor for disclosure.

async function findWorkableSearch(tx: TransactionClient, actor: Actor, searchId: string) {
  const search = await tx.search.findFirst({
    where: { id: searchId, ...whereVisible(actor, 'search', 'work') },
    select: {
      id: true,
      caseId: true,
      actorId: true,
      reviewState: true,
      createdAt: true,
      case: { select: { status: true } },
      candidates: { orderBy: { rank: 'asc' }, select: { id: true } },
      reviews: { select: { id: true, stage: true, reviewerId: true, startedAt: true, committedAt: true, candidateOrder: true } },
    },
  });
  if (!search) throw new AppError('NOT_FOUND', 'No such search, or it is not in one of your team’s cases.');
  return search;
}

/** Which review this actor holds on the search, if any: the first if they ran it, the second if they took it. */
function reviewStageOf(search: Awaited<ReturnType<typeof findWorkableSearch>>, actor: Actor): ReviewStage | null {
  if (search.actorId === actor.id) return 'first';
  const second = search.reviews.find((review) => review.stage === 'second');
  return second?.reviewerId === actor.id ? 'second' : null;
}

export const commitReviewSpec = specifyAction({
  name: 'review.commit',
  permission: 'adjudication:record',
  input: commitReviewSchema,
  async authorize({ actor, input, tx }) {
    const search = await findWorkableSearch(tx, actor, input.searchId);
    const stage = reviewStageOf(search, actor);
    if (!stage) {
      throw new AppError('FORBIDDEN', search.reviews.some((review) => review.stage === 'second')
        ? 'Another investigator has taken the second review of this search.'
        : 'Only the investigator who ran this search records its first review; a second review is taken from the Second review queue.');
    }
    const review = search.reviews.find((entry) => entry.stage === stage);
    if (review?.committedAt) throw new AppError('CONFLICT', 'Your decisions on this search are already committed. Correct a decision instead.');
    const expected = stage === 'first' ? search.candidates.map((candidate) => candidate.id) : review!.candidateOrder;
    const given = new Set(input.decisions.map((entry) => entry.candidateId));
    if (given.size !== input.decisions.length || given.size !== expected.length || !expected.every((id) => given.has(id))) {
      throw new AppError('VALIDATION', `Decide every candidate before committing (${given.size} of ${expected.length} decided).`);
    }
    if (input.isNoMatchInList && input.decisions.some((entry) => entry.decision !== 'no_match')) {
      throw new AppError('VALIDATION', '"No match in this list" means no match for every candidate.');
    }
    return { search, stage, review, expected };
  },
  async run({ actor, input, tx, authorized: { search, stage, review, expected } }) {
    const committedAt = new Date();
    const saved = review
      ? await tx.review.update({ where: { id: review.id }, data: { committedAt, isNoMatchInList: input.isNoMatchInList }, select: { id: true } })
      : await tx.review.create({
          // The first review's period starts when its reviewer is shown the results: when the search ran.
          data: { searchId: search.id, stage, reviewerId: actor.id, candidateOrder: expected, isNoMatchInList: input.isNoMatchInList, startedAt: search.createdAt, committedAt },
          select: { id: true },
        });
    await tx.adjudication.createMany({
      data: input.decisions.map((entry) => ({
        reviewId: saved.id,
        candidateId: entry.candidateId,
        reviewerId: actor.id,
        stage,
        decision: entry.decision,
        rationale: entry.rationale,
        checklist: entry.checklist,
        createdAt: committedAt,
      })),
    });
    const outcome = await settleReviewState(tx, search.id);
    return {
      data: { reviewId: saved.id, outcome },
      target: { type: 'search', id: search.id },
      auditPayload: {
        caseId: search.caseId,
        stage,
        reviewId: saved.id,
        isNoMatchInList: input.isNoMatchInList,
        outcome,
        // The review's period of use (Art. 12(3)): a second review started when it was taken.
        periodStart: (review?.startedAt ?? search.createdAt).toISOString(),
        periodEnd: committedAt.toISOString(),
        candidateOrder: expected,
        decisions: input.decisions.map((entry) => ({ candidateId: entry.candidateId, decision: entry.decision, rationale: entry.rationale, checklist: entry.checklist })),
      },
    };
  },
});

export const correctDecisionSpec = specifyAction({
  name: 'review.correct',
  permission: 'adjudication:record',
  input: correctDecisionSchema,
  async authorize({ actor, input, tx }) {
    const candidate = await tx.candidate.findFirst({
      where: { id: input.candidateId, ...whereVisible(actor, 'candidate', 'work') },
      select: {
        id: true,
        searchId: true,
        adjudications: { where: { reviewerId: actor.id }, select: { id: true, candidateId: true, stage: true, supersedesId: true, decision: true } },
        disclosures: { where: { status: { in: ['pending', 'approved'] } }, select: { id: true } },
      },
    });
    if (!candidate) throw new AppError('NOT_FOUND', 'No such candidate, or it is not in one of your team’s cases.');
    const stage: ReviewStage | undefined = candidate.adjudications.find((record) => record.stage === 'second') ? 'second' : candidate.adjudications[0]?.stage;
    if (!stage) throw new AppError('FORBIDDEN', 'Only the reviewer who decided this candidate can correct the decision.');
    if (candidate.disclosures.length > 0) throw new AppError('CONFLICT', 'A disclosure of this candidate is pending or approved: the decision can no longer be corrected.');
    const current = latestDecisions(candidate.adjudications, stage).get(candidate.id)!;
    if (current.decision === input.decision) throw new AppError('VALIDATION', 'That is already the decision on record.');
    return { candidate, stage, current };
  },
  async run({ actor, input, tx, authorized: { candidate, stage, current } }) {
    const review = await tx.review.findUniqueOrThrow({ where: { searchId_stage: { searchId: candidate.searchId, stage } }, select: { id: true } });
    const created = await tx.adjudication.create({
      data: {
        reviewId: review.id,
        candidateId: candidate.id,
        reviewerId: actor.id,
        stage,
        decision: input.decision,
        rationale: input.rationale,
        supersedesId: current.id,
        correctionReason: input.reason,
      },
      select: { id: true },
    });
    const outcome = await settleReviewState(tx, candidate.searchId);
    return {
      data: { adjudicationId: created.id, outcome },
      target: { type: 'candidate', id: candidate.id },
      auditPayload: { searchId: candidate.searchId, stage, previous: { id: current.id, decision: current.decision }, decision: input.decision, rationale: input.rationale, reason: input.reason, outcome },
    };
  },
});

/** Fisher–Yates with a cryptographic source: the order must not hint at the ranking. */
function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let index = out.length - 1; index > 0; index--) {
    const other = randomInt(index + 1);
    [out[index], out[other]] = [out[other]!, out[index]!];
  }
  return out;
}

export const takeSecondReviewSpec = specifyAction({
  name: 'review.take_second',
  permission: 'adjudication:record',
  input: takeSecondReviewSchema,
  async authorize({ actor, input, tx }) {
    const search = await findWorkableSearch(tx, actor, input.searchId);
    const first = search.reviews.find((review) => review.stage === 'first');
    if (search.actorId === actor.id || first?.reviewerId === actor.id) {
      throw new AppError('FORBIDDEN', 'You did the first review of this search: the second review must be done by another investigator.');
    }
    const second = search.reviews.find((review) => review.stage === 'second');
    if (second && second.reviewerId !== actor.id) throw new AppError('CONFLICT', 'Another investigator has already taken this second review.');
    if (!second && search.reviewState !== 'awaiting_second_review') throw new AppError('CONFLICT', 'This search is not waiting for a second review.');
    return { search, second };
  },
  async run({ actor, tx, authorized: { search, second } }) {
    // Taking it again (a reload) returns the same review with the same order.
    const review = second ?? (await tx.review.create({
      data: { searchId: search.id, stage: 'second', reviewerId: actor.id, candidateOrder: shuffled(search.candidates.map((candidate) => candidate.id)) },
      select: { id: true, startedAt: true, candidateOrder: true },
    }));
    return {
      data: { reviewId: review.id },
      target: { type: 'search', id: search.id },
      auditPayload: { caseId: search.caseId, stage: 'second', reviewId: review.id, isAlreadyTaken: Boolean(second), periodStart: review.startedAt.toISOString(), candidateOrder: review.candidateOrder },
    };
  },
});

export const requestDisclosureSpec = specifyAction({
  name: 'disclosure.request',
  permission: 'disclosure:request',
  input: requestDisclosureSchema,
  async authorize({ actor, input, tx }) {
    const candidate = await tx.candidate.findFirst({
      where: { id: input.candidateId, ...whereVisible(actor, 'candidate', 'work') },
      select: {
        id: true,
        searchId: true,
        search: {
          select: {
            caseId: true,
            reviewState: true,
            dispute: { select: { status: true, resolution: true } },
            candidates: { select: { adjudications: { select: { id: true, candidateId: true, stage: true, decision: true, supersedesId: true } } } },
          },
        },
        disclosures: { where: { status: { in: ['pending', 'approved'] } }, select: { status: true } },
      },
    });
    if (!candidate) throw new AppError('NOT_FOUND', 'No such candidate, or it is not in one of your team’s cases.');
    const records = candidate.search.candidates.flatMap((entry) => entry.adjudications);
    const decisionsAt = (stage: ReviewStage) => new Map([...latestDecisions(records, stage)].map(([id, record]) => [id, record.decision]));
    const isConfirmed = candidate.search.reviewState === 'confirmed' && confirmedCandidates(decisionsAt('first'), decisionsAt('second')).includes(candidate.id);
    // After a dispute, the supervisor's final decision stands where the reviewers disagreed.
    const isResolvedAsPossibleMatch =
      candidate.search.reviewState === 'resolved' &&
      candidate.search.dispute?.status === 'resolved' &&
      finalDecision(candidate.id, decisionsAt('first'), decisionsAt('second'), readResolution(candidate.search.dispute.resolution)) === 'possible_match';
    if (!isConfirmed && !isResolvedAsPossibleMatch) {
      throw new AppError('CONFLICT', 'Only a possible match confirmed by both reviewers, or so resolved by the supervisor, can be put forward for disclosure.');
    }
    if (candidate.disclosures.length > 0) throw new AppError('CONFLICT', `A disclosure request for this candidate is already ${candidate.disclosures[0]!.status}.`);
    return { candidate };
  },
  async run({ actor, input, tx, authorized: { candidate } }) {
    const created = await tx.disclosure.create({ data: { candidateId: candidate.id, requestedById: actor.id, statement: input.statement }, select: { id: true } });
    return {
      data: { disclosureId: created.id },
      target: { type: 'disclosure', id: created.id },
      auditPayload: { caseId: candidate.search.caseId, candidateId: candidate.id, searchId: candidate.searchId, statement: input.statement },
    };
  },
});
