import 'server-only';
import { createHash } from 'node:crypto';
import { getPrisma, type Db } from '@/lib/server/db/database';
import type { Prisma, PrismaClient } from '@/lib/server/generated/prisma/client';
import type { Actor } from '@/lib/server/auth/current-actor';
import { whereVisible } from '@/lib/server/dal/visibility';
import { recordSearchView } from '@/lib/server/review/record-search-view';
import { adjudicationSelect, decisionHistory, latestDecisions, latestDecisionValues, type AdjudicationRecord } from '@/lib/server/review/review-records';
import { canonicalJson } from '@/lib/shared/canonical-json';
import { calibrationTableById, calibrationTableId, describeRecordedChance } from '@/lib/shared/calibration/false-match-rate';
import type { CommittedDecisionView } from '@/lib/shared/review/bench-view';
import { finalDecision, readResolution } from '@/lib/shared/review/dispute-resolution';
import { confirmedCandidates, findDisagreements, type SearchReviewState } from '@/lib/shared/review/review-outcome';
import type { StoryDisclosure, StoryOtherSearch, StoryWatchlist, WholeStory } from '@/lib/shared/review/whole-story-view';
import type { Decision, ReviewStage } from '@/lib/shared/schemas/review';

/** What the story is told about: a disclosure request, a dispute, or the search itself. */
export type StoryTarget = { disclosureId: string } | { disputeId: string } | { searchId: string };

const disclosureSelect = {
  id: true,
  candidateId: true,
  status: true,
  statement: true,
  requestedAt: true,
  requestedById: true,
  requestedBy: { select: { displayName: true } },
  decidedAt: true,
  decidedBy: { select: { displayName: true } },
  decisionRationale: true,
  packSha256: true,
} as const;

const storySelect = {
  id: true,
  caseId: true,
  actorId: true,
  createdAt: true,
  mode: true,
  listSize: true,
  threshold: true,
  modelId: true,
  indexEngine: true,
  indexVersion: true,
  gallerySize: true,
  calibrationTableId: true,
  reviewState: true,
  watchlistIds: true,
  watchlistVersions: true,
  actor: { select: { displayName: true } },
  case: {
    select: {
      id: true,
      reference: true,
      offence: true,
      purpose: true,
      legalBasis: true,
      status: true,
      openedAt: true,
      openedBy: { select: { displayName: true } },
      team: { select: { name: true } },
    },
  },
  probeFace: {
    select: {
      id: true,
      cropSha256: true,
      isManualBox: true,
      qualityVerdict: true,
      serverQualityVerdict: true,
      embeddingAgreement: true,
      qualityOverrideReason: true,
      probe: {
        select: {
          source: true,
          cameraLocation: true,
          capturedAt: true,
          imageSha256: true,
          clipSha256: true,
          clipFileName: true,
          frameTimeMs: true,
          width: true,
          height: true,
          uploadedAt: true,
          uploadedBy: { select: { displayName: true } },
        },
      },
    },
  },
  probeFaces: {
    orderBy: { position: 'asc' as const },
    select: { position: true, probeFace: { select: { id: true, cropSha256: true, qualityVerdict: true, serverQualityVerdict: true, probe: { select: { imageSha256: true } } } } },
  },
  reviews: { orderBy: { stage: 'asc' as const }, select: { stage: true, reviewerId: true, startedAt: true, committedAt: true, isNoMatchInList: true, reviewer: { select: { displayName: true } } } },
  candidates: {
    orderBy: { rank: 'asc' as const },
    select: {
      id: true,
      rank: true,
      rawScore: true,
      falseMatchRate: true,
      expectedFpir: true,
      subject: { select: { reference: true, displayName: true, watchlist: { select: { name: true } } } },
      adjudications: { select: { ...adjudicationSelect, reviewerId: true } },
      disclosures: { orderBy: { requestedAt: 'asc' as const }, select: disclosureSelect },
    },
  },
  dispute: { select: { id: true, status: true, raisedAt: true, resolution: true, rationale: true, resolvedAt: true, resolvedBy: { select: { displayName: true } } } },
} as const;

type LoadedDisclosure = Prisma.DisclosureGetPayload<{ select: typeof disclosureSelect }>;

function toStoryDisclosure(row: LoadedDisclosure): StoryDisclosure {
  return {
    id: row.id,
    candidateId: row.candidateId,
    status: row.status,
    statement: row.statement,
    requestedAt: row.requestedAt,
    requestedBy: row.requestedBy.displayName,
    decidedBy: row.decidedBy?.displayName ?? null,
    decidedAt: row.decidedAt,
    decisionRationale: row.decisionRationale,
    packSha256: row.packSha256,
  };
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

/** Which search the target belongs to, if this actor may see it (the one visibility rule, for reading). */
async function resolveSearchId(db: Db, actor: Actor, target: StoryTarget): Promise<{ searchId: string; disclosureId: string | null } | null> {
  if ('disclosureId' in target) {
    const row = await db.disclosure.findFirst({ where: { id: target.disclosureId, candidate: whereVisible(actor, 'candidate') }, select: { candidate: { select: { searchId: true } } } });
    return row ? { searchId: row.candidate.searchId, disclosureId: target.disclosureId } : null;
  }
  if ('disputeId' in target) {
    const row = await db.dispute.findFirst({ where: { id: target.disputeId, search: whereVisible(actor, 'search') }, select: { searchId: true } });
    return row ? { searchId: row.searchId, disclosureId: null } : null;
  }
  return { searchId: target.searchId, disclosureId: null };
}

/**
 * The whole story of a search, as plain data: the case's purpose and legal basis, the still's
 * provenance, the probe face and its quality, how the search was run, every candidate with its
 * calibrated words, both reviews with their corrections, the dispute, the disclosure requests and
 * every other search of the case. Null when the actor may not see it. Reads only (nothing is
 * audited here: pages call `findWholeStoryForActor`, and the pack generator runs inside an action),
 * so it may run inside a transaction.
 */
export async function loadWholeStory(actor: Actor, target: StoryTarget, db?: Db): Promise<WholeStory | null> {
  db ??= await getPrisma();
  const resolved = await resolveSearchId(db, actor, target);
  if (!resolved) return null;
  const search = await db.search.findFirst({ where: { id: resolved.searchId, ...whereVisible(actor, 'search') }, select: storySelect });
  if (!search) return null;

  const records = search.candidates.flatMap((candidate) => candidate.adjudications as (AdjudicationRecord & { reviewerId: string })[]);
  const first = search.reviews.some((review) => review.stage === 'first' && review.committedAt) ? latestDecisions(records, 'first') : new Map<string, AdjudicationRecord>();
  const second = search.reviews.some((review) => review.stage === 'second' && review.committedAt) ? latestDecisions(records, 'second') : new Map<string, AdjudicationRecord>();
  const decisionsOf = (map: Map<string, AdjudicationRecord>) => new Map<string, Decision>([...map].map(([id, record]) => [id, record.decision]));
  const firstDecisions = decisionsOf(first);
  const secondDecisions = decisionsOf(second);
  const isBothCommitted = first.size > 0 && second.size > 0;
  const resolution = search.dispute?.status === 'resolved' ? readResolution(search.dispute.resolution) : new Map<string, Decision>();
  const confirmed = new Set(isBothCommitted ? confirmedCandidates(firstDecisions, secondDecisions) : []);
  const disputed = isBothCommitted ? findDisagreements(firstDecisions, secondDecisions) : [];
  const historyAt = (stage: ReviewStage) => decisionHistory(records, stage);
  const firstHistory = historyAt('first');
  const secondHistory = historyAt('second');

  const candidates = search.candidates.map((candidate) => ({
    id: candidate.id,
    rank: candidate.rank,
    cropUrl: `/api/crops/candidate/${candidate.id}`,
    subjectName: candidate.subject.displayName,
    subjectReference: candidate.subject.reference,
    watchlistName: candidate.subject.watchlist.name,
    chance: describeRecordedChance({ ...candidate, modelId: search.modelId, gallerySize: search.gallerySize, calibrationTableId: search.calibrationTableId }),
    rawScore: candidate.rawScore,
    falseMatchRate: candidate.falseMatchRate,
    expectedFpir: candidate.expectedFpir,
    first: (firstHistory.get(candidate.id) ?? []).map(toDecisionView),
    second: (secondHistory.get(candidate.id) ?? []).map(toDecisionView),
    isConfirmed: confirmed.has(candidate.id),
    isDisagreement: disputed.includes(candidate.id),
    resolution: resolution.get(candidate.id) ?? null,
    finalDecision: isBothCommitted ? finalDecision(candidate.id, firstDecisions, secondDecisions, resolution) : (firstDecisions.get(candidate.id) ?? null),
    disclosures: candidate.disclosures.map(toStoryDisclosure),
  }));

  const focus = resolved.disclosureId ? search.candidates.flatMap((candidate) => candidate.disclosures).find((row) => row.id === resolved.disclosureId) : undefined;
  const isReviewer =
    search.actorId === actor.id || search.reviews.some((review) => review.reviewerId === actor.id) || records.some((record) => record.reviewerId === actor.id);
  const [watchlists, otherSearches] = await Promise.all([loadWatchlists(db, search.watchlistIds, (search.watchlistVersions ?? {}) as Record<string, unknown>), loadOtherSearches(db, actor, search.caseId, search.id)]);

  return {
    case: {
      id: search.case.id,
      reference: search.case.reference,
      offence: search.case.offence,
      purpose: search.case.purpose,
      legalBasis: search.case.legalBasis,
      status: search.case.status,
      openedAt: search.case.openedAt,
      openedBy: search.case.openedBy.displayName,
      teamName: search.case.team.name,
    },
    probe: { ...search.probeFace.probe, uploadedBy: search.probeFace.probe.uploadedBy.displayName },
    probeFace: {
      id: search.probeFace.id,
      cropUrl: `/api/crops/probe/${search.probeFace.id}`,
      cropSha256: search.probeFace.cropSha256,
      isManualBox: search.probeFace.isManualBox,
      clientQualityVerdict: search.probeFace.qualityVerdict,
      serverQualityVerdict: search.probeFace.serverQualityVerdict,
      embeddingAgreement: search.probeFace.embeddingAgreement,
      qualityOverrideReason: search.probeFace.qualityOverrideReason,
    },
    probeFaces: (search.probeFaces.length > 0
      ? search.probeFaces
      : [{ position: 0, probeFace: { ...search.probeFace, probe: { imageSha256: search.probeFace.probe.imageSha256 } } }]
    ).map(({ position, probeFace }) => ({
      id: probeFace.id,
      position,
      cropUrl: `/api/crops/probe/${probeFace.id}`,
      cropSha256: probeFace.cropSha256,
      qualityVerdict: probeFace.serverQualityVerdict ?? probeFace.qualityVerdict,
      stillSha256: probeFace.probe.imageSha256,
    })),
    search: {
      id: search.id,
      createdAt: search.createdAt,
      actorName: search.actor.displayName,
      mode: search.mode,
      listSize: search.listSize,
      threshold: search.threshold,
      modelId: search.modelId,
      indexEngine: search.indexEngine,
      indexVersion: search.indexVersion,
      gallerySize: search.gallerySize,
      reviewState: search.reviewState as SearchReviewState,
      watchlists,
      calibration: describeCalibration(search.modelId, search.calibrationTableId),
    },
    reviews: search.reviews.map((review) => ({
      stage: review.stage,
      reviewerName: review.reviewer.displayName,
      startedAt: review.startedAt,
      committedAt: review.committedAt,
      isNoMatchInList: review.isNoMatchInList,
    })),
    candidates,
    dispute: search.dispute
      ? {
          id: search.dispute.id,
          status: search.dispute.status,
          raisedAt: search.dispute.raisedAt,
          resolvedBy: search.dispute.resolvedBy?.displayName ?? null,
          resolvedAt: search.dispute.resolvedAt,
          rationale: search.dispute.rationale,
          disputedCandidateIds: disputed,
        }
      : null,
    disclosure: focus ? toStoryDisclosure(focus) : null,
    otherSearches,
    // A supervisor who once worked the search as an investigator (a role changed since), or who asked
    // for the disclosure, is not independent of it: they may read it but not decide.
    viewerConflict: focus?.requestedById === actor.id ? 'requested' : isReviewer ? 'reviewed' : null,
  };
}

/** The calibration table the search used (by the id it recorded), named by a fingerprint of its contents as in force now. */
function describeCalibration(modelId: string, tableId: string | null): WholeStory['search']['calibration'] {
  const table = calibrationTableById(tableId, modelId);
  if (!table) return null;
  return {
    tableId: calibrationTableId(table),
    probeQuality: table.probeQuality ?? null,
    modelId: table.modelId,
    measuredAt: table.measuredAt,
    dataset: table.dataset,
    impostorComparisons: table.impostorComparisons,
    fingerprint: createHash('sha256').update(canonicalJson(table)).digest('hex').slice(0, 16),
  };
}

async function loadWatchlists(db: Db, ids: string[], searchedVersions: Record<string, unknown>): Promise<StoryWatchlist[]> {
  const rows = await db.watchlist.findMany({
    where: { id: { in: ids } },
    orderBy: { name: 'asc' },
    select: {
      id: true,
      name: true,
      purpose: true,
      authority: true,
      deletedAt: true,
      version: true,
      _count: { select: { enrolledFaces: { where: { indexState: 'indexed' } }, subjects: { where: { deletedAt: null } } } },
    },
  });
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    purpose: row.purpose,
    authority: row.authority,
    faceCount: row._count.enrolledFaces,
    subjectCount: row._count.subjects,
    // The version the search ran against; the list's version now beside it when it has changed since.
    version: typeof searchedVersions[row.id] === 'number' ? `${searchedVersions[row.id] as number}${searchedVersions[row.id] === row.version ? '' : ` (now ${row.version})`}` : null,
    isDeleted: row.deletedAt !== null,
  }));
}

/** The case's other searches with their outcomes: a pack must show what was searched and found nothing too. */
async function loadOtherSearches(db: Db, actor: Actor, caseId: string, searchId: string): Promise<StoryOtherSearch[]> {
  const rows = await db.search.findMany({
    where: { caseId, id: { not: searchId }, ...whereVisible(actor, 'search') },
    orderBy: { createdAt: 'asc' },
    select: {
      id: true,
      createdAt: true,
      gallerySize: true,
      watchlistIds: true,
      reviewState: true,
      actor: { select: { displayName: true } },
      dispute: { select: { status: true, resolution: true } },
      candidates: { orderBy: { rank: 'asc' }, select: { id: true, subject: { select: { reference: true } }, adjudications: { select: { id: true, candidateId: true, stage: true, decision: true, supersedesId: true } } } },
    },
  });
  const names = new Map(
    (await db.watchlist.findMany({ where: { id: { in: [...new Set(rows.flatMap((row) => row.watchlistIds))] } }, select: { id: true, name: true } })).map((row) => [row.id, row.name]),
  );
  return rows.map((row) => {
    const records = row.candidates.flatMap((candidate) => candidate.adjudications);
    const first = latestDecisionValues(records, 'first');
    const second = latestDecisionValues(records, 'second');
    const resolution = row.dispute?.status === 'resolved' ? readResolution(row.dispute.resolution) : new Map<string, Decision>();
    // Only a finished review names leads; one still under review or disputed names none yet.
    const isSettled = row.reviewState === 'confirmed' || row.reviewState === 'resolved';
    const possibleMatches = isSettled
      ? row.candidates.filter((candidate) => finalDecision(candidate.id, first, second, resolution) === 'possible_match').map((candidate) => candidate.subject.reference)
      : [];
    return {
      id: row.id,
      createdAt: row.createdAt,
      actorName: row.actor.displayName,
      watchlistNames: row.watchlistIds.map((id) => names.get(id) ?? 'a deleted watch-list'),
      gallerySize: row.gallerySize,
      candidateCount: row.candidates.length,
      reviewState: row.reviewState as SearchReviewState,
      possibleMatches,
    };
  });
}

/**
 * The whole story for a page, with the view audited: reading a search's candidates with their
 * identities is itself a record-worthy act, whoever does it. Null when not visible.
 */
export async function findWholeStoryForActor(actor: Actor, target: StoryTarget, db?: PrismaClient): Promise<WholeStory | null> {
  db ??= await getPrisma();
  const story = await loadWholeStory(actor, target, db);
  if (!story) return null;
  await recordSearchView(db, actor, {
    searchId: story.search.id,
    caseId: story.case.id,
    probeFaceId: story.probeFace.id,
    candidatesShown: story.candidates.map((candidate) => candidate.id),
    isIdentityShown: true,
    stage: null,
    extra: { via: 'disclosureId' in target ? 'disclosure' : 'disputeId' in target ? 'dispute' : 'search', ...(story.probeFaces.length > 1 ? { probeFaceIds: story.probeFaces.map((face) => face.id) } : {}) },
  });
  return story;
}
