import 'server-only';
import { describeClipFrame } from '@/lib/shared/clip-frame-label';
import type { PrismaClient } from '@/lib/server/generated/prisma/client';
import { recordSearchView } from '@/lib/server/review/record-search-view';
import { getPrisma } from '@/lib/server/db/database';
import type { Actor } from '@/lib/server/auth/current-actor';
import { whereVisible } from '@/lib/server/dal/visibility';
import { adjudicationSelect, decisionHistory, latestDecisions, type AdjudicationRecord } from '@/lib/server/review/review-records';
import { readSearchPolicy } from '@/lib/server/settings/search-policy';
import { getConfig } from '@/lib/server/config';
import { cropStoreFor } from '@/lib/server/storage/crop-store';
import { locateCropLandmarks } from '@/lib/server/vision/locate-crop-landmarks';
import { calibrationTableById, describeCalibrationTable, describeRecordedChance } from '@/lib/shared/calibration/false-match-rate';
import type { BenchCandidate, BenchProbeFace, BenchView, CommittedDecisionView, RevealedIdentity } from '@/lib/shared/review/bench-view';
import { finalDecision, readResolution } from '@/lib/shared/review/dispute-resolution';
import { confirmedCandidates, isReviewFinished, type SearchReviewState } from '@/lib/shared/review/review-outcome';
import type { Decision, ReviewStage } from '@/lib/shared/schemas/review';
import type { ReviewComparisonRow, ReviewSummary } from '@/lib/shared/review/review-record-view';

/** The search as recorded, without anything about who is in the candidate list. */
export type SearchFacts = {
  id: string;
  caseId: string;
  caseReference: string;
  casePurpose: string;
  createdAt: Date;
  actorName: string;
  mode: string;
  listSize: number;
  gallerySize: number;
  modelId: string;
  /** Which calibration table read the scores, in words (chosen by the probe's measured quality). */
  calibration: string;
  indexEngine: string;
  watchlistNames: string[];
  /** Each list searched, with the version it was at when searched (null for searches recorded before lists were versioned). */
  watchlists: { name: string; version: number | null }[];
  reviewState: SearchReviewState;
  probeFace: {
    id: string;
    qualityVerdict: string;
    serverQualityVerdict: string | null;
    embeddingAgreement: number | null;
    qualityOverrideReason: string | null;
    isManualBox: boolean;
  };
  /** Every face searched as the probe, in order (one for most searches); each with the verdict it was judged by. */
  probeFaces: { id: string; position: number; qualityVerdict: string; clipFrame: string | null }[];
  /** The verdict the search was judged by: its best face's (its only face's, for most searches). */
  probeSetVerdict: string;
  probe: { source: string; cameraLocation: string | null; capturedAt: Date | null; imageSha256: string; clipSha256: string | null; clipFileName: string | null; frameTimeMs: number | null };
};

/**
 * What a viewer is shown of a search. `bench` while they review or once identities are theirs to see;
 * `under_review` for a team member while someone else's review is open (they must not see identities
 * or decisions that could colour a second review they may yet take); `second_review` sends the second
 * reviewer to their blind page.
 */
export type SearchReviewPage =
  | {
      kind: 'bench';
      facts: SearchFacts;
      viewer: 'first_reviewer' | 'second_reviewer' | 'observer';
      view: BenchView;
      reviews: ReviewSummary[];
      comparison: ReviewComparisonRow[] | null;
    }
  | { kind: 'under_review'; facts: SearchFacts; reviews: ReviewSummary[] }
  | { kind: 'second_review'; searchId: string }
  /** Asked for the blind second review of a search the viewer may see but has not taken: nothing of it is shown. */
  | { kind: 'not_taken'; searchId: string };

const candidateSelect = {
  id: true,
  rank: true,
  enrolledFaceId: true,
  enrolledFace: { select: { cropKey: true } },
  rawScore: true,
  falseMatchRate: true,
  expectedFpir: true,
  bestProbeFaceId: true,
  subject: { select: { reference: true, displayName: true, watchlist: { select: { name: true } } } },
  adjudications: { select: adjudicationSelect },
  disclosures: { orderBy: { requestedAt: 'desc' as const }, take: 1, select: { id: true, status: true, requestedAt: true, packSha256: true, requestedBy: { select: { displayName: true } } } },
} as const;

async function loadSearch(prisma: PrismaClient, actor: Actor, searchId: string) {
  return prisma.search.findFirst({
    where: { id: searchId, ...whereVisible(actor, 'search') },
    select: {
      id: true,
      caseId: true,
      actorId: true,
      createdAt: true,
      mode: true,
      listSize: true,
      gallerySize: true,
      modelId: true,
      calibrationTableId: true,
      indexEngine: true,
      watchlistIds: true,
      watchlistVersions: true,
      reviewState: true,
      dispute: { select: { status: true, resolution: true } },
      case: { select: { reference: true, purpose: true } },
      actor: { select: { displayName: true } },
      probeFace: {
        select: {
          id: true,
          cropKey: true,
          qualityVerdict: true,
          serverQualityVerdict: true,
          embeddingAgreement: true,
          qualityOverrideReason: true,
          isManualBox: true,
          probe: { select: { source: true, cameraLocation: true, capturedAt: true, imageSha256: true, clipSha256: true, clipFileName: true, frameTimeMs: true } },
        },
      },
      probeFaces: {
        orderBy: { position: 'asc' },
        select: { position: true, probeFace: { select: { id: true, cropKey: true, qualityVerdict: true, serverQualityVerdict: true, probe: { select: { clipSha256: true, clipFileName: true, frameTimeMs: true } } } } },
      },
      reviews: { select: { stage: true, reviewerId: true, candidateOrder: true, startedAt: true, committedAt: true, isNoMatchInList: true, reviewer: { select: { displayName: true } } } },
      candidates: { orderBy: { rank: 'asc' }, select: candidateSelect },
    },
  });
}

type LoadedSearch = NonNullable<Awaited<ReturnType<typeof loadSearch>>>;
type LoadedCandidate = LoadedSearch['candidates'][number];

const VERDICT_ORDER = ['poor', 'usable', 'good'];

/**
 * The faces of the search's probe, in order. A search recorded without its rows in search_probe_faces
 * (none the application writes; the migration backfilled older ones) had only its one face.
 */
function probeFacesOf(search: LoadedSearch): { id: string; position: number; cropKey: string; qualityVerdict: string; clipFrame: string | null }[] {
  const rows = search.probeFaces.map(({ position, probeFace }) => ({
    id: probeFace.id,
    position,
    cropKey: probeFace.cropKey,
    qualityVerdict: probeFace.serverQualityVerdict ?? probeFace.qualityVerdict,
    clipFrame: describeClipFrame(probeFace.probe),
  }));
  if (rows.length > 0) return rows;
  const face = search.probeFace;
  return [{ id: face.id, position: 0, cropKey: face.cropKey, qualityVerdict: face.serverQualityVerdict ?? face.qualityVerdict, clipFrame: describeClipFrame(face.probe) }];
}

function toDecisionView(record: AdjudicationRecord): CommittedDecisionView {
  return {
    decision: record.decision,
    rationale: record.rationale,
    checklist: (record.checklist ?? {}) as Record<string, string>,
    reviewerName: record.reviewer.displayName,
    createdAt: record.createdAt.toISOString(),
    correctionReason: record.correctionReason,
  };
}

function identityOf(search: LoadedSearch, candidate: LoadedCandidate): RevealedIdentity {
  return {
    subjectName: candidate.subject.displayName,
    subjectReference: candidate.subject.reference,
    watchlistName: candidate.subject.watchlist.name,
    rank: candidate.rank,
    chance: describeRecordedChance({ ...candidate, modelId: search.modelId, gallerySize: search.gallerySize, calibrationTableId: search.calibrationTableId }),
    calibration: describeCalibrationTable(calibrationTableById(search.calibrationTableId, search.modelId)),
    rawScore: candidate.rawScore,
    falseMatchRate: candidate.falseMatchRate,
    expectedFpir: candidate.expectedFpir,
  };
}

/** 68 landmarks of a stored crop for the overlay, or null when the crop or the model is unavailable. */
async function landmarksOfCrop(cropKey: string): Promise<[number, number][] | null> {
  try {
    return await locateCropLandmarks(await cropStoreFor(getConfig().dataDir).read(cropKey));
  } catch {
    return null;
  }
}

/**
 * A search as this viewer may see it, with the view recorded in the audit log (who saw which faces,
 * and whether identities were shown). Null when the search is not visible to them at all. It takes
 * the client, never a transaction: the view is audited in a short transaction of its own.
 */
export async function findSearchReviewForActor(
  actor: Actor,
  searchId: string,
  options: { stage?: 'second'; withLandmarks?: boolean } = {},
  db?: PrismaClient,
): Promise<SearchReviewPage | null> {
  db ??= await getPrisma();
  const search = await loadSearch(db, actor, searchId);
  if (!search) return null;
  const policy = await readSearchPolicy(db);
  const first = search.reviews.find((review) => review.stage === 'first');
  const second = search.reviews.find((review) => review.stage === 'second');
  const viewer = search.actorId === actor.id ? 'first_reviewer' : second?.reviewerId === actor.id ? 'second_reviewer' : 'observer';
  const state = search.reviewState as SearchReviewState;
  const lists = await db.watchlist.findMany({ where: { id: { in: search.watchlistIds } }, select: { id: true, name: true } });
  const facts = toFacts(search, lists);
  const reviews: ReviewSummary[] = search.reviews.map((review) => ({
    stage: review.stage,
    reviewerName: review.reviewer.displayName,
    startedAt: review.startedAt,
    committedAt: review.committedAt,
    isNoMatchInList: review.isNoMatchInList,
  }));

  // The second reviewer works blind on their own page until they commit.
  if (viewer === 'second_reviewer' && !second?.committedAt && options.stage !== 'second') return { kind: 'second_review', searchId: search.id };
  if (options.stage === 'second' && viewer !== 'second_reviewer') return { kind: 'not_taken', searchId: search.id };

  const isFinished = isReviewFinished(state) || Boolean(second?.committedAt);
  const stage: ReviewStage = viewer === 'second_reviewer' ? 'second' : 'first';
  const isCommitted = viewer === 'first_reviewer' ? Boolean(first?.committedAt) : viewer === 'second_reviewer' ? Boolean(second?.committedAt) : true;
  const isRevealed =
    viewer === 'first_reviewer' ? isCommitted || !policy.isFirstReviewBlind : viewer === 'second_reviewer' ? isCommitted : isFinished;

  if (viewer === 'observer' && !isFinished) {
    await recordView(db, actor, search, { isRevealed: false, shown: [] });
    return { kind: 'under_review', facts, reviews };
  }

  const order = viewer === 'second_reviewer' && !isCommitted ? second!.candidateOrder : search.candidates.map((candidate) => candidate.id);
  const byId = new Map(search.candidates.map((candidate) => [candidate.id, candidate]));
  const records = search.candidates.flatMap((candidate) => candidate.adjudications as AdjudicationRecord[]);
  const myHistory = decisionHistory(records, stage);
  const candidates: BenchCandidate[] = await Promise.all(
    order.map(async (candidateId, index) => {
      const candidate = byId.get(candidateId)!;
      return {
        id: candidate.id,
        position: index + 1,
        // Which probe face scored best for a candidate is a hint from the scores: withheld while the viewer works blind.
        bestProbeFaceId: isRevealed ? candidate.bestProbeFaceId : null,
        face: { cropUrl: `/api/crops/candidate/${candidate.id}`, landmarks: options.withLandmarks ? await landmarksOfCrop(candidate.enrolledFace.cropKey) : null },
        revealed: isRevealed ? identityOf(search, candidate) : null,
        committed: isCommitted && viewer !== 'observer' ? (myHistory.get(candidate.id) ?? []).map(toDecisionView) : [],
      };
    }),
  );
  const probeFaces: BenchProbeFace[] = await Promise.all(
    probeFacesOf(search).map(async (face) => ({
      id: face.id,
      label: `Probe face ${face.position + 1}`,
      qualityVerdict: face.qualityVerdict,
      cropUrl: `/api/crops/probe/${face.id}`,
      landmarks: options.withLandmarks ? await landmarksOfCrop(face.cropKey) : null,
    })),
  );
  const view: BenchView = {
    searchId: search.id,
    stage,
    isCommitted,
    probe: { cropUrl: probeFaces[0]!.cropUrl, landmarks: probeFaces[0]!.landmarks },
    probeFaces,
    candidates,
  };

  await recordView(db, actor, search, { isRevealed, shown: candidates.map((candidate) => candidate.id), stage: viewer === 'observer' ? undefined : stage });
  return {
    kind: 'bench',
    facts: viewer === 'second_reviewer' && !isCommitted ? blindFacts(facts) : facts,
    viewer,
    view,
    reviews: viewer === 'second_reviewer' && !isCommitted ? [] : reviews,
    comparison: isFinished && isRevealed ? buildComparison(search, records) : null,
  };
}

function buildComparison(search: LoadedSearch, records: AdjudicationRecord[]): ReviewComparisonRow[] {
  const first = latestDecisions(records, 'first');
  const second = latestDecisions(records, 'second');
  const decisionsOf = (map: Map<string, AdjudicationRecord>) => new Map<string, Decision>([...map].map(([id, record]) => [id, record.decision]));
  const isSettled = search.reviewState === 'confirmed' || search.reviewState === 'resolved';
  const confirmed = new Set(isSettled ? confirmedCandidates(decisionsOf(first), decisionsOf(second)) : []);
  const resolution = search.dispute?.status === 'resolved' ? readResolution(search.dispute.resolution) : new Map<string, Decision>();
  return search.candidates.map((candidate) => {
    const a = first.get(candidate.id);
    const b = second.get(candidate.id);
    const disclosure = candidate.disclosures[0];
    const isDisclosable = isSettled && finalDecision(candidate.id, decisionsOf(first), decisionsOf(second), resolution) === 'possible_match';
    return {
      candidateId: candidate.id,
      rank: candidate.rank,
      identity: identityOf(search, candidate),
      first: a ? toDecisionView(a) : null,
      second: b ? toDecisionView(b) : null,
      isConfirmed: confirmed.has(candidate.id),
      isDisagreement: Boolean(a && b && a.decision !== b.decision),
      resolution: resolution.get(candidate.id) ?? null,
      isDisclosable,
      disclosure: disclosure
        ? { id: disclosure.id, status: disclosure.status, requestedBy: disclosure.requestedBy.displayName, requestedAt: disclosure.requestedAt, isPackReady: disclosure.packSha256 !== null }
        : null,
    };
  });
}

function toFacts(search: LoadedSearch, lists: { id: string; name: string }[]): SearchFacts {
  const versions = (search.watchlistVersions ?? {}) as Record<string, unknown>;
  return {
    id: search.id,
    caseId: search.caseId,
    caseReference: search.case.reference,
    casePurpose: search.case.purpose,
    createdAt: search.createdAt,
    actorName: search.actor.displayName,
    mode: search.mode,
    listSize: search.listSize,
    gallerySize: search.gallerySize,
    modelId: search.modelId,
    calibration: describeCalibrationTable(calibrationTableById(search.calibrationTableId, search.modelId)),
    indexEngine: search.indexEngine,
    watchlistNames: lists.map((list) => list.name),
    watchlists: lists.map((list) => ({ name: list.name, version: typeof versions[list.id] === 'number' ? (versions[list.id] as number) : null })),
    reviewState: search.reviewState as SearchReviewState,
    probeFace: {
      id: search.probeFace.id,
      qualityVerdict: search.probeFace.qualityVerdict,
      serverQualityVerdict: search.probeFace.serverQualityVerdict,
      embeddingAgreement: search.probeFace.embeddingAgreement,
      qualityOverrideReason: search.probeFace.qualityOverrideReason,
      isManualBox: search.probeFace.isManualBox,
    },
    probeFaces: probeFacesOf(search).map(({ id, position, qualityVerdict, clipFrame }) => ({ id, position, qualityVerdict, clipFrame })),
    probeSetVerdict: probeFacesOf(search).reduce((best, face) => (VERDICT_ORDER.indexOf(face.qualityVerdict) > VERDICT_ORDER.indexOf(best) ? face.qualityVerdict : best), 'poor'),
    probe: search.probeFace.probe,
  };
}

// The second reviewer is told what to compare, not how the machine scored it or who searched: no
// search mode, list size, gallery size or first reviewer's name reaches their browser.
function blindFacts(facts: SearchFacts): SearchFacts {
  return { ...facts, actorName: '', mode: '', listSize: 0, gallerySize: 0, calibration: '', indexEngine: '', watchlistNames: [], watchlists: [], reviewState: 'awaiting_second_review' };
}

function recordView(prisma: PrismaClient, actor: Actor, search: LoadedSearch, details: { isRevealed: boolean; shown: string[]; stage?: ReviewStage | undefined }) {
  return recordSearchView(prisma, actor, {
    searchId: search.id,
    caseId: search.caseId,
    probeFaceId: search.probeFace.id,
    candidatesShown: details.shown,
    isIdentityShown: details.isRevealed,
    stage: details.stage ?? null,
    // Who saw which faces: every face of a multi-face probe.
    ...(search.probeFaces.length > 1 ? { extra: { probeFaceIds: search.probeFaces.map((row) => row.probeFace.id) } } : {}),
  });
}
