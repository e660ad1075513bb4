import 'server-only';
import type { TransactionClient } from '@/lib/server/db/database';
import type { PrismaClient } from '@/lib/server/generated/prisma/client';
import { deriveReviewState, type SearchReviewState } from '@/lib/shared/review/review-outcome';
import type { Decision, ReviewStage } from '@/lib/shared/schemas/review';

type Db = PrismaClient | TransactionClient;

export type AdjudicationRecord = {
  id: string;
  candidateId: string;
  stage: ReviewStage;
  decision: Decision;
  rationale: string;
  checklist: unknown;
  supersedesId: string | null;
  correctionReason: string | null;
  createdAt: Date;
  reviewer: { displayName: string };
};

export const adjudicationSelect = {
  id: true,
  candidateId: true,
  stage: true,
  decision: true,
  rationale: true,
  checklist: true,
  supersedesId: true,
  correctionReason: true,
  createdAt: true,
  reviewer: { select: { displayName: true } },
} as const;

/**
 * Decisions are append-only: a correction is a new row naming the one it replaces. The decision in
 * force for a candidate at a stage is the one nothing supersedes.
 */
export function latestDecisions<T extends Pick<AdjudicationRecord, 'id' | 'candidateId' | 'stage' | 'supersedesId'>>(
  records: readonly T[],
  stage: ReviewStage,
): Map<string, T> {
  const superseded = new Set(records.map((record) => record.supersedesId).filter(Boolean));
  const latest = new Map<string, T>();
  for (const record of records) if (record.stage === stage && !superseded.has(record.id)) latest.set(record.candidateId, record);
  return latest;
}

/** The decision in force for each candidate at a stage (candidate id → decision), for working out outcomes. */
export function latestDecisionValues<T extends Pick<AdjudicationRecord, 'id' | 'candidateId' | 'stage' | 'supersedesId' | 'decision'>>(
  records: readonly T[],
  stage: ReviewStage,
): Map<string, T['decision']> {
  return new Map([...latestDecisions(records, stage)].map(([candidateId, record]) => [candidateId, record.decision]));
}

/** Each candidate's decisions at one stage, oldest first, so a correction shows with its history. */
export function decisionHistory<T extends Pick<AdjudicationRecord, 'candidateId' | 'stage' | 'createdAt'>>(records: readonly T[], stage: ReviewStage): Map<string, T[]> {
  const history = new Map<string, T[]>();
  for (const record of [...records].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())) {
    if (record.stage !== stage) continue;
    history.set(record.candidateId, [...(history.get(record.candidateId) ?? []), record]);
  }
  return history;
}

/**
 * Recomputes where the search's review stands from the decisions on record, stores it on the search
 * (the queues read it) and opens a dispute for the supervisor when the reviewers disagree.
 */
export async function settleReviewState(tx: TransactionClient, searchId: string): Promise<SearchReviewState> {
  const search = await tx.search.findUniqueOrThrow({
    where: { id: searchId },
    select: {
      reviews: { select: { stage: true, committedAt: true, isNoMatchInList: true } },
      candidates: { select: { adjudications: { select: { id: true, candidateId: true, stage: true, decision: true, supersedesId: true } } } },
      dispute: { select: { status: true } },
    },
  });
  const records = search.candidates.flatMap((candidate) => candidate.adjudications);
  const first = search.reviews.find((review) => review.stage === 'first' && review.committedAt);
  const second = search.reviews.find((review) => review.stage === 'second' && review.committedAt);
  const state = deriveReviewState({
    first: first ? latestDecisionValues(records, 'first') : undefined,
    isFirstNoMatchInList: first?.isNoMatchInList ?? false,
    second: second ? latestDecisionValues(records, 'second') : undefined,
    isDisputeResolved: search.dispute?.status === 'resolved',
  });
  await tx.search.update({ where: { id: searchId }, data: { reviewState: state } });
  if (state === 'disputed' && !search.dispute) await tx.dispute.create({ data: { searchId } });
  return state;
}

export async function findReviewsOfSearch(db: Db, searchId: string) {
  return db.review.findMany({
    where: { searchId },
    select: { id: true, stage: true, reviewerId: true, candidateOrder: true, committedAt: true, startedAt: true, isNoMatchInList: true, reviewer: { select: { displayName: true } } },
  });
}
