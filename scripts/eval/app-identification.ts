import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import sharp from 'sharp';
import { createActionDefiner } from '@/lib/server/actions/create-action-definer';
import { CLI_REQUEST_CONTEXT } from '@/lib/server/audit/request-context';
import { recordProbeFaceSpec } from '@/lib/server/actions/specs/record-probe-face';
import { runSearchSpec } from '@/lib/server/actions/specs/run-search';
import { getConfig } from '@/lib/server/config';
import { openDatabase, type Database } from '@/lib/server/db/database';
import { specifyEnrolImage } from '@/lib/server/actions/specs/enrolment';
import { sha256Hex, type EnrolmentPolicy, type EnrolmentOutcome } from '@/lib/server/gallery/enrol-image';
import { syncVectorIndex } from '@/lib/server/gallery/sync-vector-index';
import { cropStoreFor } from '@/lib/server/storage/crop-store';
import { closeVectorIndex, getVectorIndex } from '@/lib/server/vector/get-vector-index';
import { toProbeFaceInput } from '@/lib/shared/schemas/probe';
import { describeRecordedChance } from '@/lib/shared/calibration/false-match-rate';
import type { FacePipeline } from '@/lib/vision/face-pipeline';
import { defaultEmbedImageOptions, embedImageBytes, type ImageEmbedding } from './embed-image-file';
import type { SubjectCandidate } from './exact-subject-search';

// The evaluation runs the app itself: the gallery is enrolled by the enrolment action (the one behind
// `npm run enrol` and the admin page, with a relaxed policy, below) and every probe goes through the same server-action
// specifications an investigator's browser calls (record the probe face, then search), with their
// validation, authorisation, calibration and audit, on a throwaway embedded store.

/**
 * Every gallery image is measured: the app's strict policy would set aside images with several faces
 * or poor quality for a person to review, which would remove subjects from the evaluation silently.
 * The summary reports how many images needed this.
 */
export const EVALUATION_ENROLMENT_POLICY: EnrolmentPolicy = {
  minimumQuality: 'poor',
  severalFaces: 'take_primary',
  lowConfidenceRetry: { scoreThreshold: defaultEmbedImageOptions.fallbackThreshold, minFaceSize: 12 },
};

/** A candidate as the app recorded it and as the reviewer is told it: raw score, calibrated rates, words. */
export type RecordedCandidate = SubjectCandidate & { falseMatchRate: number; expectedFpir: number; words: string };

/** What the app recorded about the search itself: the probe's quality as the server measured it, and the table used. */
export type RecordedSearch = {
  searchId: string;
  qualityVerdict: string;
  qualityReasons: string[];
  calibrationTableId: string | null;
  gallerySize: number;
};

export type AppIdentification = {
  enrol(path: string, subject: string): Promise<EnrolmentOutcome>;
  finishEnrolment(): Promise<void>;
  identify(path: string, top: number): Promise<{ embedding: ImageEmbedding; candidates: RecordedCandidate[]; search: RecordedSearch | null }>;
  /**
   * Several images of one person as one probe (issue 11 §3): each face is recorded as the browser
   * records it, then all are searched together by one multi-face search (`extraProbeFaceIds`). Images
   * with no face found are left out; none found at all is no search.
   */
  identifyMany(paths: readonly string[], top: number): Promise<{ embeddings: ImageEmbedding[]; candidates: RecordedCandidate[]; search: RecordedSearch | null }>;
  close(): Promise<void>;
};

export async function openAppIdentification(pipeline: FacePipeline): Promise<AppIdentification> {
  // One folder per process, emptied at each open: the configuration is read once per process.
  const dataDir = join(tmpdir(), `rfr-eval-${process.pid}`);
  await rm(dataDir, { recursive: true, force: true });
  await mkdir(dataDir, { recursive: true });
  process.env.DATA_DIR = dataDir;
  if (getConfig().dataDir !== resolve(dataDir)) throw new Error('configuration was read before the evaluation store was chosen');
  const database: Database = await openDatabase({});
  const { prisma } = database;
  // Casework is visible by team: the harness is the one investigator of its own team.
  const team = await prisma.team.create({ data: { name: 'Evaluation' }, select: { id: true } });
  const investigator = await prisma.user.create({
    data: { email: 'evaluation@localhost', displayName: 'Evaluation harness', role: 'investigator', passwordHash: '!', teamId: team.id },
    select: { id: true, email: true, displayName: true, role: true, teamId: true },
  });
  // The gallery is enrolled by an administrator, as in the app: enrolment needs watchlist:manage.
  const administrator = await prisma.user.create({
    data: { email: 'evaluation-admin@localhost', displayName: 'Evaluation harness (gallery)', role: 'admin', passwordHash: '!' },
    select: { id: true, email: true, displayName: true, role: true, teamId: true },
  });
  const watchlist = await prisma.watchlist.create({
    data: {
      name: 'Evaluation gallery',
      purpose: 'Accuracy evaluation',
      authority: 'Evaluation',
      ownerId: administrator.id,
      retentionDays: 3650,
      reviewDate: new Date(Date.now() + 365 * 86_400_000),
    },
    select: { id: true, retentionDays: true },
  });
  const kase = await prisma.case.create({
    data: { reference: 'EVALUATION', offence: 'None', purpose: 'Measure identification accuracy', legalBasis: 'Evaluation only', openedById: investigator.id, teamId: team.id },
  });
  const defineAction = createActionDefiner({ getActor: async () => investigator, getPrisma: async () => prisma, getRequestContext: async () => CLI_REQUEST_CONTEXT });
  const recordProbeFace = defineAction(recordProbeFaceSpec);
  const runSearch = defineAction(runSearchSpec);
  const crops = cropStoreFor(dataDir);
  const enrolImage = createActionDefiner({ getActor: async () => administrator, getPrisma: async () => prisma, getRequestContext: async () => CLI_REQUEST_CONTEXT })(
    specifyEnrolImage({ getPipeline: async () => pipeline, getCropStore: () => crops, policy: EVALUATION_ENROLMENT_POLICY }),
  );

  return {
    async enrol(path, subject) {
      const result = await enrolImage({ watchlistId: watchlist.id, subjectReference: subject, fileName: path, file: new File([new Uint8Array(await readFile(path))], basename(path)) });
      if (!result.ok) throw new Error(`enrolling ${path} was refused: ${result.error.code} ${result.error.message}`);
      return result.data;
    },
    async finishEnrolment() {
      await syncVectorIndex(prisma, getVectorIndex());
    },
    async identify(path, top) {
      const { embedding, probeFaceId } = await recordProbe(path);
      if (!probeFaceId) return { embedding, candidates: [], search: null };
      return { embedding, ...(await searchFaces([probeFaceId], top, path)) };
    },
    async identifyMany(paths, top) {
      const recorded = [];
      for (const path of paths) recorded.push(await recordProbe(path));
      const ids = recorded.map((entry) => entry.probeFaceId).filter((id): id is string => id !== null);
      const embeddings = recorded.map((entry) => entry.embedding);
      if (ids.length === 0) return { embeddings, candidates: [], search: null };
      return { embeddings, ...(await searchFaces(ids, top, paths.join(', '))) };
    },
    async close() {
      await closeVectorIndex();
      await database.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };

  async function recordProbe(path: string): Promise<{ embedding: ImageEmbedding; probeFaceId: string | null }> {
    const bytes = new Uint8Array(await readFile(path));
    const embedding = await embedImageBytes(pipeline, bytes);
    const face = embedding.analysis;
    if (!face || !embedding.size) return { embedding, probeFaceId: null };
    const crop = await sharp(Buffer.from(face.aligned.data), { raw: { width: face.aligned.width, height: face.aligned.height, channels: 3 } }).png().toBuffer();
    // The crop the pipeline aligned, as PNG, exactly as the browser sends it: the server decodes,
    // re-embeds and measures it like any investigator's submission.
    const recorded = await recordProbeFace({
      payload: {
        caseId: kase.id,
        idempotencyKey: randomUUID(),
        still: {
          imageSha256: sha256Hex(bytes),
          width: embedding.size.width,
          height: embedding.size.height,
          source: 'evaluation probe',
        },
        face: toProbeFaceInput(face),
      },
      crop,
    });
    if (!recorded.ok) throw new Error(`recording ${path} was refused: ${recorded.error.code} ${recorded.error.message}`);
    return { embedding, probeFaceId: recorded.data.probeFaceId };
  }

  async function searchFaces(probeFaceIds: readonly string[], top: number, path: string): Promise<{ candidates: RecordedCandidate[]; search: RecordedSearch }> {
    const [probeFaceId, ...extraProbeFaceIds] = probeFaceIds;
    const searched = await runSearch({
      probeFaceId: probeFaceId!,
      extraProbeFaceIds,
      watchlistIds: [watchlist.id],
      mode: 'rank',
      listSize: top,
      qualityOverrideReason: 'Evaluation: every probe is searched whatever its quality.',
    });
    if (!searched.ok) throw new Error(`searching ${path} was refused: ${searched.error.code} ${searched.error.message}`);
    // Read back what was recorded, and worded exactly as the review bench words it.
    const search = await prisma.search.findUniqueOrThrow({
      where: { id: searched.data.searchId },
      select: {
        modelId: true,
        gallerySize: true,
        calibrationTableId: true,
        probeFace: { select: { qualityVerdict: true, serverQualityVerdict: true, serverQuality: true } },
        candidates: {
          orderBy: { rank: 'asc' },
          select: { rawScore: true, falseMatchRate: true, expectedFpir: true, subject: { select: { reference: true } } },
        },
      },
    });
    const serverQuality = search.probeFace.serverQuality as { reasons?: { message: string }[] } | null;
    return {
      candidates: search.candidates.map((candidate) => ({
        subject: candidate.subject.reference,
        score: candidate.rawScore,
        falseMatchRate: candidate.falseMatchRate,
        expectedFpir: candidate.expectedFpir,
        words: describeRecordedChance({ ...candidate, modelId: search.modelId, gallerySize: search.gallerySize, calibrationTableId: search.calibrationTableId }),
      })),
      search: {
        searchId: searched.data.searchId,
        qualityVerdict: search.probeFace.serverQualityVerdict ?? search.probeFace.qualityVerdict,
        qualityReasons: (serverQuality?.reasons ?? []).map((reason) => reason.message),
        calibrationTableId: search.calibrationTableId,
        gallerySize: search.gallerySize,
      },
    };
  }
}
