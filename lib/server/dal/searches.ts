import 'server-only';
import type { PrismaClient } from '@/lib/server/generated/prisma/client';
import type { Actor } from '@/lib/server/auth/current-actor';
import type { CandidateView } from '@/lib/shared/candidate-view';

export type SearchListItem = {
  id: string;
  createdAt: Date;
  gallerySize: number;
  candidates: number;
  qualityVerdict: string;
  watchlistCount: number;
};

export async function listSearchesOfCase(prisma: PrismaClient, actor: Actor, caseId: string): Promise<SearchListItem[]> {
  const rows = await prisma.search.findMany({
    where: { caseId, case: { openedById: actor.id } },
    orderBy: { createdAt: 'desc' },
    select: {
      id: true,
      createdAt: true,
      gallerySize: true,
      watchlistIds: true,
      probeFace: { select: { qualityVerdict: true } },
      _count: { select: { candidates: true } },
    },
  });
  return rows.map((row) => ({
    id: row.id,
    createdAt: row.createdAt,
    gallerySize: row.gallerySize,
    candidates: row._count.candidates,
    qualityVerdict: row.probeFace.qualityVerdict,
    watchlistCount: row.watchlistIds.length,
  }));
}


export type SearchReview = {
  id: string;
  caseId: string;
  caseReference: string;
  createdAt: Date;
  actorName: string;
  mode: string;
  listSize: number;
  gallerySize: number;
  modelId: string;
  indexEngine: string;
  watchlistNames: string[];
  probeFace: { id: string; qualityVerdict: string; quality: unknown; isManualBox: boolean };
  probe: { source: string; cameraLocation: string | null; capturedAt: Date | null; imageSha256: string };
  candidates: CandidateView[];
};

/** A search as its reviewer sees it; null unless it belongs to one of the actor's cases. */
export async function findSearchReviewForActor(prisma: PrismaClient, actor: Actor, searchId: string): Promise<SearchReview | null> {
  const row = await prisma.search.findFirst({
    where: { id: searchId, case: { openedById: actor.id } },
    select: {
      id: true,
      caseId: true,
      createdAt: true,
      mode: true,
      listSize: true,
      gallerySize: true,
      modelId: true,
      indexEngine: true,
      watchlistIds: true,
      case: { select: { reference: true } },
      actor: { select: { displayName: true } },
      probeFace: {
        select: {
          id: true,
          qualityVerdict: true,
          quality: true,
          isManualBox: true,
          probe: { select: { source: true, cameraLocation: true, capturedAt: true, imageSha256: true } },
        },
      },
      candidates: {
        orderBy: { rank: 'asc' },
        select: {
          id: true,
          rank: true,
          enrolledFaceId: true,
          rawScore: true,
          falseMatchRate: true,
          expectedFpir: true,
          subject: { select: { reference: true, displayName: true, watchlist: { select: { name: true } } } },
        },
      },
    },
  });
  if (!row) return null;
  const watchlists = await prisma.watchlist.findMany({ where: { id: { in: row.watchlistIds } }, select: { name: true } });
  return {
    id: row.id,
    caseId: row.caseId,
    caseReference: row.case.reference,
    createdAt: row.createdAt,
    actorName: row.actor.displayName,
    mode: row.mode,
    listSize: row.listSize,
    gallerySize: row.gallerySize,
    modelId: row.modelId,
    indexEngine: row.indexEngine,
    watchlistNames: watchlists.map((list) => list.name),
    probeFace: { id: row.probeFace.id, qualityVerdict: row.probeFace.qualityVerdict, quality: row.probeFace.quality, isManualBox: row.probeFace.isManualBox },
    probe: row.probeFace.probe,
    candidates: row.candidates.map((candidate) => ({
      id: candidate.id,
      rank: candidate.rank,
      enrolledFaceId: candidate.enrolledFaceId,
      subjectReference: candidate.subject.reference,
      subjectName: candidate.subject.displayName,
      watchlistName: candidate.subject.watchlist.name,
      rawScore: candidate.rawScore,
      falseMatchRate: candidate.falseMatchRate,
      expectedFpir: candidate.expectedFpir,
    })),
  };
}
