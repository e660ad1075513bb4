import 'server-only';
import type { TransactionClient } from '@/lib/server/db/database';
import type { Actor } from '@/lib/server/auth/current-actor';
import { whereVisible } from '@/lib/server/dal/visibility';
import { isPastReviewDate } from '@/lib/server/retention/review-date';
import { bytesToEmbedding } from '@/lib/server/gallery/embedding-bytes';
import { lockWatchlistVersions } from '@/lib/server/gallery/watchlist-version';
import { getConfig } from '@/lib/server/config';
import { searchWithinDeadline } from '@/lib/server/vector/search-within-deadline';
import { adaptProbeVector, loadProbeAdapter } from '@/lib/server/search/probe-adapter';
import type { VectorIndex } from '@/lib/server/vector/vector-index';
import { AppError } from '@/lib/shared/errors';
import { MAX_LIST_SIZE, type RunSearchInput } from '@/lib/shared/schemas/search';
import type { SearchPolicy } from '@/lib/server/settings/search-policy';

/**
 * Reads raw scores for one search. `tableId` names the calibration table chosen for the probe's measured
 * quality; it is recorded with the search so the review bench (and a later audit) knows how the words
 * shown under each candidate were worked out.
 */
export type ScoreCalibration = (input: { modelId: string; probeQuality: 'good' | 'usable' | 'poor' }) => {
  /** Null for a model with no table: `calibrate` then refuses, so only a search with no candidates records. */
  tableId: string | null;
  /** The probe adapter the table goes with, applied to every probe vector before the index is asked; null for none. */
  probeAdapterId?: string | null;
  calibrate(input: { rawScore: number; gallerySize: number }): { falseMatchRate: number; expectedFpir: number };
};

type QualityVerdict = 'good' | 'usable' | 'poor';

export type SearchTarget = {
  caseId: string;
  /** `qualityVerdict` is the server's verdict where the server measured the face (see authorizeFaceSearch). */
  probeFace: { id: string; modelId: string; embedding: Uint8Array; qualityVerdict: QualityVerdict };
  /**
   * More faces of the same person searched with `probeFace` as one probe, in the order given: same case,
   * same model, each with its own verdict. None (or absent) for a one-face search.
   */
  extraProbeFaces?: { id: string; embedding: Uint8Array; qualityVerdict: QualityVerdict }[];
  watchlistIds: string[];
  /** The investigator's reason, kept only when the face is below the policy and so needed one. */
  qualityOverrideReason: string | null;
};

const VERDICT_RANK = { poor: 0, usable: 1, good: 2 } as const;
const MAX_HITS = 400;

/** Every face of the probe, the primary one first. */
export function probeFacesOf(target: SearchTarget): { id: string; embedding: Uint8Array; qualityVerdict: QualityVerdict }[] {
  return [target.probeFace, ...(target.extraProbeFaces ?? [])];
}

/**
 * The verdict a probe of several faces is judged by, for the quality policy and for the calibration
 * band alike: its best face's. With max fusion a person's score is their best over the faces, and the
 * best face is the one that carries the search: a clear face in the set is not made unsearchable by a
 * blurred frame beside it, and a set of poor faces still needs a written reason. Each face's own verdict
 * is recorded in the search's audit event.
 */
export function probeSetVerdict(target: SearchTarget): QualityVerdict {
  return probeFacesOf(target).reduce<QualityVerdict>((best, face) => (VERDICT_RANK[face.qualityVerdict] > VERDICT_RANK[best] ? face.qualityVerdict : best), 'poor');
}

/**
 * Everything that must hold before a face is searched, checked inside the transaction: the probe face
 * is in a case of the actor's team, the case is open and records why (purpose) and under what power
 * (legal basis) it may be searched, every watch-list exists, and a face below the quality policy is
 * searched only with a written override.
 */
export async function authorizeFaceSearch(
  tx: TransactionClient,
  actor: Actor,
  input: RunSearchInput,
  policy: SearchPolicy,
): Promise<SearchTarget> {
  const probeFace = await tx.probeFace.findFirst({
    // A probe face whose crop and embedding retention purged can no longer be searched.
    where: { id: input.probeFaceId, purgedAt: null, ...whereVisible(actor, 'probeFace', 'work') },
    select: {
      id: true,
      modelId: true,
      embedding: true,
      qualityVerdict: true,
      serverQualityVerdict: true,
      probe: { select: { case: { select: { id: true, status: true, purpose: true, legalBasis: true } } } },
    },
  });
  if (!probeFace) throw new AppError('NOT_FOUND', 'No such face, or it is not in one of your cases.');
  const kase = probeFace.probe.case;
  const extras = await authorizeExtraProbeFaces(tx, actor, input.extraProbeFaceIds ?? [], { caseId: kase.id, modelId: probeFace.modelId });
  if (kase.status !== 'open') throw new AppError('CASE_CLOSED', 'This case is closed: no further searches can be run in it.');
  if (!kase.purpose.trim() || !kase.legalBasis.trim()) {
    throw new AppError('VALIDATION', 'Record the purpose and legal basis on the case before searching.');
  }

  const watchlistIds = [...new Set(input.watchlistIds)];
  const lists = await tx.watchlist.findMany({ where: { id: { in: watchlistIds }, deletedAt: null }, select: { name: true, searchableBy: true, reviewDate: true } });
  if (lists.length !== watchlistIds.length) throw new AppError('NOT_FOUND', 'One of the chosen watch-lists does not exist (any more).');
  const closed = lists.filter((list) => !mayActorSearch(list, actor.id));
  if (closed.length > 0) {
    throw new AppError('FORBIDDEN', `You are not among the investigators allowed to search ${closed.map((list) => `"${list.name}"`).join(', ')}.`);
  }
  // A list past its review date may no longer be justified: searching it needs the investigator to say
  // they know (recorded with the search), until its owner reviews it.
  const overdue = lists.filter((list) => isPastReviewDate(list));
  if (overdue.length > 0 && !input.isOverdueReviewAcknowledged) {
    throw new AppError('VALIDATION', `${overdue.map((list) => `"${list.name}"`).join(', ')} ${overdue.length === 1 ? 'is' : 'are'} past the review date. Acknowledge this to search anyway.`, {
      isOverdueReviewAcknowledged: ['Acknowledge that the watch-list is past its review date.'],
    });
  }

  // The policy is applied to the quality the server measured on the stored crop, not to what the
  // browser claimed. Faces recorded before the server measured quality have only the claimed verdict.
  const { id, modelId, embedding } = probeFace;
  const target: SearchTarget = {
    caseId: kase.id,
    probeFace: { id, modelId, embedding, qualityVerdict: probeFace.serverQualityVerdict ?? probeFace.qualityVerdict },
    extraProbeFaces: extras,
    watchlistIds,
    qualityOverrideReason: null,
  };
  // A set of faces is judged by its best face (probeSetVerdict).
  const qualityVerdict = probeSetVerdict(target);
  const isBelowPolicy = VERDICT_RANK[qualityVerdict] < VERDICT_RANK[policy.minimumQuality];
  if (isBelowPolicy && !input.qualityOverrideReason) {
    const whose = extras.length === 0 ? "This face's quality is" : `The best of these ${extras.length + 1} faces is of quality`;
    throw new AppError(
      'VALIDATION',
      `${whose} "${qualityVerdict}", below the policy minimum "${policy.minimumQuality}". Give a reason to search it anyway.`,
      { qualityOverrideReason: ['A reason is required to search a face of this quality.'] },
    );
  }
  return { ...target, qualityOverrideReason: isBelowPolicy ? (input.qualityOverrideReason ?? null) : null };
}

/**
 * The further faces of a multi-face probe: each must be visible to the actor for work, not purged, in
 * the same case as the primary face and embedded by the same model (scores of different models do not
 * compare). Any that is not is refused exactly as a missing face is, naming none of them.
 */
async function authorizeExtraProbeFaces(
  tx: TransactionClient,
  actor: Actor,
  ids: readonly string[],
  primary: { caseId: string; modelId: string },
): Promise<NonNullable<SearchTarget['extraProbeFaces']>> {
  if (ids.length === 0) return [];
  const found = await tx.probeFace.findMany({
    // AND, not a spread: the visibility rule is itself a condition on `probe`, which would replace ours.
    where: { id: { in: [...ids] }, purgedAt: null, modelId: primary.modelId, AND: [{ probe: { caseId: primary.caseId } }, whereVisible(actor, 'probeFace', 'work')] },
    select: { id: true, embedding: true, qualityVerdict: true, serverQualityVerdict: true },
  });
  const byId = new Map(found.map((face) => [face.id, face]));
  if (ids.some((faceId) => !byId.has(faceId))) throw new AppError('NOT_FOUND', 'No such face, or it is not in one of your cases.');
  return ids.map((faceId) => {
    const face = byId.get(faceId)!;
    return { id: face.id, embedding: face.embedding, qualityVerdict: face.serverQualityVerdict ?? face.qualityVerdict };
  });
}

/** A list open to every investigator has no names on it; otherwise only those named may search it. */
export function mayActorSearch(list: { searchableBy: string[] }, actorId: string): boolean {
  return list.searchableBy.length === 0 || list.searchableBy.includes(actorId);
}

export type SearchOutcome = {
  searchId: string;
  calibrationTableId: string | null;
  candidates: number;
  gallerySize: number;
  /**
   * For the audit record (Art. 12(3): the reference database used): the faces searched in each list,
   * and the list's version at the time (also stored with the search).
   */
  watchlistSizes: { watchlistId: string; faces: number; version: number | null }[];
  /** For the audit record: the search's period of use, from the gallery count to the stored results. */
  startedAt: Date;
  completedAt: Date;
};

/**
 * Runs the search and records it, its candidates and (through the action wrapper) its audit event in
 * one transaction. If the index fails, nothing is recorded: a search either happened completely or
 * not at all.
 */
export async function runFaceSearch(options: {
  tx: TransactionClient;
  actor: Actor;
  input: RunSearchInput;
  target: SearchTarget;
  policy: SearchPolicy;
  index: VectorIndex;
  calibrate: ScoreCalibration;
  /** How long the index may take while the transaction is open; VECTOR_SEARCH_TIMEOUT_MS by default. */
  indexTimeoutMs?: number;
}): Promise<SearchOutcome> {
  const { tx, actor, input, target, policy, index } = options;
  const modelId = target.probeFace.modelId;
  // Threshold mode lists everyone above the threshold, up to the hard maximum.
  const listSize = input.mode === 'rank' ? (input.listSize ?? policy.listSize) : MAX_LIST_SIZE;
  const now = new Date();

  // Read first, under a share lock: a change to a list (an enrolment, an erasure, an edit) waits for
  // this search or is waited for, so the versions recorded match the faces counted and searched.
  const versions = await lockWatchlistVersions(tx, target.watchlistIds);
  const searchable = { watchlistId: { in: target.watchlistIds }, modelId, indexState: 'indexed' as const, expiresAt: { gt: now }, subject: { deletedAt: null } };
  const perList = await tx.enrolledFace.groupBy({ by: ['watchlistId'], where: searchable, _count: { _all: true } });
  const watchlistSizes = target.watchlistIds.map((watchlistId) => ({
    watchlistId,
    faces: perList.find((group) => group.watchlistId === watchlistId)?._count._all ?? 0,
    version: versions[watchlistId] ?? null,
  }));
  const gallerySize = watchlistSizes.reduce((total, list) => total + list.faces, 0);

  // Ask the index for more than needed: hits for faces expired or erased since their last sync are
  // dropped below against the database, which has the final word, and a subject with several
  // enrolled faces is listed once, at their best. An empty gallery has no collection to ask: the search
  // is still recorded, with no candidates.
  // The one vector-index call made inside a transaction, hence the deadline (search-within-deadline.ts).
  //
  // Several faces of one person: one index search per face, then each gallery person's score is the
  // max over the faces (score fusion by max, BENCHMARKS.md "Several degraded frames of one person"),
  // remembering which face gave it. Sorting all hits by score and keeping a person's first hit is that
  // max; equal scores keep the earlier face.
  //
  // One table for the whole search, picked by the quality the server measured on the probe face: a
  // degraded probe's impostor scores are distributed differently from a clean one's. A set of faces reads
  // its scores from its best face's band, the verdict the policy judged it by. The table names the probe
  // adapter its scores go with: every probe vector passes through it (the stored embedding does not).
  const calibration = options.calibrate({ modelId, probeQuality: probeSetVerdict(target) });
  const adapter = calibration.probeAdapterId ? loadProbeAdapter(calibration.probeAdapterId) : null;
  const probeFaces = probeFacesOf(target);
  const deadlineMs = options.indexTimeoutMs ?? getConfig().vectorSearchTimeoutMs;
  const hitsPerFace = gallerySize === 0 ? [] : await Promise.all(probeFaces.map((face) => searchWithinDeadline(index, modelId, {
    vector: adapter ? adaptProbeVector(adapter, bytesToEmbedding(face.embedding)) : bytesToEmbedding(face.embedding),
    limit: Math.min(listSize * 4 + 10, MAX_HITS),
    watchlistIds: target.watchlistIds,
    ...(input.mode === 'threshold' ? { minScore: input.threshold } : {}),
  }, deadlineMs)));
  const hits = hitsPerFace
    .flatMap((faceHits, position) => faceHits.map((hit) => ({ ...hit, probeFaceId: probeFaces[position]!.id, position })))
    .sort((a, b) => b.score - a.score || a.position - b.position);
  const live = await tx.enrolledFace.findMany({
    where: { ...searchable, id: { in: [...new Set(hits.map((hit) => hit.payload.enrolledFaceId))] } },
    select: { id: true, subjectId: true },
  });
  const subjectOf = new Map(live.map((face) => [face.id, face.subjectId]));
  const listedSubjects = new Set<string>();
  const ranked = hits
    .filter((hit) => {
      const subject = subjectOf.get(hit.payload.enrolledFaceId);
      if (!subject || listedSubjects.has(subject)) return false;
      listedSubjects.add(subject);
      return true;
    })
    .slice(0, listSize);

  // Keep the figures honest for several faces: each impostor in the gallery had k chances (one per probe
  // face) to score this high, so the search made k × N comparisons, not N. The expected FPIR is worked
  // out for k × N as if independent, 1 − (1 − FMR)^(kN); frames of one person are positively
  // correlated, so the true chance is at most this, and never above the union bound k·N·FMR. For one
  // face it is the figure it always was.
  const comparisons = gallerySize * probeFaces.length;
  const completedAt = new Date();
  const search = await tx.search.create({
    data: {
      caseId: target.caseId,
      probeFaceId: target.probeFace.id,
      actorId: actor.id,
      watchlistIds: target.watchlistIds,
      mode: input.mode,
      listSize,
      threshold: input.mode === 'threshold' ? (input.threshold ?? null) : null,
      modelId,
      indexEngine: index.engine,
      indexVersion: '1',
      gallerySize,
      watchlistVersions: versions,
      calibrationTableId: calibration.tableId,
      // The search is recorded complete, with its candidates, in the one transaction that ran it.
      completedAt,
      // A search that listed nobody has nothing for a person to review: its outcome is settled.
      ...(ranked.length === 0 ? { reviewState: 'no_match_in_list' as const } : {}),
      // Which faces made the probe; position 0 is `probeFaceId`.
      probeFaces: { createMany: { data: probeFaces.map((face, position) => ({ probeFaceId: face.id, position })) } },
      // One multi-row insert rather than a statement per candidate.
      candidates: {
        createMany: {
          data: ranked.map((hit, position) => {
            const calibrated = calibration.calibrate({ rawScore: hit.score, gallerySize: comparisons });
            return {
              rank: position + 1,
              bestProbeFaceId: hit.probeFaceId,
              enrolledFaceId: hit.payload.enrolledFaceId,
              subjectId: subjectOf.get(hit.payload.enrolledFaceId)!,
              rawScore: hit.score,
              falseMatchRate: calibrated.falseMatchRate,
              expectedFpir: calibrated.expectedFpir,
            };
          }),
        },
      },
    },
    select: { id: true },
  });
  // The reason written to search a face below the policy stays with the face, so its results page shows
  // why it was searched at all. A later search of the same face with its own reason replaces it (each
  // search's reason is also in that search's audit record).
  if (target.qualityOverrideReason) {
    await tx.probeFace.update({ where: { id: target.probeFace.id }, data: { qualityOverrideReason: target.qualityOverrideReason } });
  }
  return { searchId: search.id, calibrationTableId: calibration.tableId, candidates: ranked.length, gallerySize, watchlistSizes, startedAt: now, completedAt };
}
