import 'server-only';
import { getPrisma, type Db } from '@/lib/server/db/database';
import type { Actor } from '@/lib/server/auth/current-actor';
import { whereVisible } from '@/lib/server/dal/visibility';
import type { SearchReviewState } from '@/lib/shared/review/review-outcome';

export type SearchListItem = {
  id: string;
  createdAt: Date;
  actorName: string;
  probeFaceId: string;
  gallerySize: number;
  candidates: number;
  qualityVerdict: string;
  watchlistCount: number;
  reviewState: SearchReviewState;
  reviewers: { stage: 'first' | 'second'; name: string; isCommitted: boolean }[];
};

/** A case's searches, newest first, each with its face, outcome and who reviewed it (never who was listed). */
export async function listSearchesOfCase(actor: Actor, caseId: string, db?: Db): Promise<SearchListItem[]> {
  db ??= await getPrisma();
  const rows = await db.search.findMany({
    where: { caseId, ...whereVisible(actor, 'search') },
    orderBy: { createdAt: 'desc' },
    select: {
      id: true,
      createdAt: true,
      gallerySize: true,
      watchlistIds: true,
      reviewState: true,
      actor: { select: { displayName: true } },
      probeFace: { select: { id: true, qualityVerdict: true, serverQualityVerdict: true } },
      reviews: { orderBy: { stage: 'asc' }, select: { stage: true, committedAt: true, reviewer: { select: { displayName: true } } } },
      _count: { select: { candidates: true } },
    },
  });
  return rows.map((row) => ({
    id: row.id,
    createdAt: row.createdAt,
    actorName: row.actor.displayName,
    probeFaceId: row.probeFace.id,
    gallerySize: row.gallerySize,
    candidates: row._count.candidates,
    qualityVerdict: row.probeFace.serverQualityVerdict ?? row.probeFace.qualityVerdict,
    watchlistCount: row.watchlistIds.length,
    reviewState: row.reviewState as SearchReviewState,
    reviewers: row.reviews.map((review) => ({ stage: review.stage, name: review.reviewer.displayName, isCommitted: Boolean(review.committedAt) })),
  }));
}

export type SecondReviewQueueItem = {
  searchId: string;
  caseReference: string;
  waitingSince: Date;
  candidates: number;
  /** Set when this actor has taken it and not yet committed. */
  isTakenByMe: boolean;
  /** The actor ran the first review: they may not take it. */
  isMyFirstReview: boolean;
};

/**
 * The team's searches waiting for a blind second review, oldest first: untaken ones, and those this
 * actor has taken and not finished. A search taken by someone else is theirs and is not listed.
 */
export async function listSecondReviewQueue(actor: Actor, db?: Db): Promise<SecondReviewQueueItem[]> {
  db ??= await getPrisma();
  const rows = await db.search.findMany({
    where: {
      ...whereVisible(actor, 'search', 'work'),
      reviewState: 'awaiting_second_review',
      OR: [{ reviews: { none: { stage: 'second' } } }, { reviews: { some: { stage: 'second', reviewerId: actor.id, committedAt: null } } }],
    },
    select: {
      id: true,
      actorId: true,
      case: { select: { reference: true } },
      reviews: { select: { stage: true, reviewerId: true, committedAt: true } },
      _count: { select: { candidates: true } },
    },
  });
  return rows
    .map((row) => {
      const first = row.reviews.find((review) => review.stage === 'first');
      return {
        searchId: row.id,
        caseReference: row.case.reference,
        waitingSince: first?.committedAt ?? new Date(0),
        candidates: row._count.candidates,
        isTakenByMe: row.reviews.some((review) => review.stage === 'second' && review.reviewerId === actor.id),
        isMyFirstReview: row.actorId === actor.id,
      };
    })
    .sort((a, b) => a.waitingSince.getTime() - b.waitingSince.getTime());
}
