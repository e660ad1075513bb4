import 'server-only';
import type { TransactionClient } from '@/lib/server/db/database';
import type { PrismaClient } from '@/lib/server/generated/prisma/client';
import type { Actor } from '@/lib/server/auth/current-actor';
import type { Compensation } from '@/lib/server/actions/create-action-definer';
import { whereVisible } from '@/lib/server/dal/visibility';
import { embeddingToBytes } from '@/lib/server/gallery/embedding-bytes';
import type { CropStore, StoredCrop } from '@/lib/server/storage/crop-store';
import { AppError } from '@/lib/shared/errors';
import type { RecordProbeFaceInput } from '@/lib/shared/schemas/probe';
import type { QualityVerdict } from '@/lib/vision/face-quality';
import type { ProbeFaceVerification } from './verify-probe-face';

export type RecordedProbeFace = {
  probeId: string;
  probeFaceId: string;
  /** True when this submission's key had already recorded the face: nothing new was stored. */
  isAlreadyRecorded: boolean;
  /** The server's verdict, the one the search policy applies. */
  qualityVerdict: QualityVerdict;
};

/**
 * A retried submission (same idempotency key) returns the face it recorded the first time, but only
 * to someone who may work on that face in the case the retry names. Anyone else gets the same
 * CONFLICT whether the face exists in a case they cannot see or in another case of theirs, so a key
 * tells them nothing about casework beyond "already used".
 */
export async function findRecordedSubmission(tx: TransactionClient, actor: Actor, payload: RecordProbeFaceInput['payload']): Promise<RecordedProbeFace | null> {
  const existing = await tx.probeFace.findUnique({
    where: { idempotencyKey: payload.idempotencyKey },
    select: { id: true, probeId: true, qualityVerdict: true, serverQualityVerdict: true, probe: { select: { caseId: true } } },
  });
  if (!existing) return null;
  const isVisible =
    existing.probe.caseId === payload.caseId && (await tx.probeFace.count({ where: { id: existing.id, ...whereVisible(actor, 'probeFace', 'work') } })) === 1;
  if (!isVisible) throw new AppError('CONFLICT', 'This submission key has already been used. Analyse the face again to submit it.');
  return {
    probeId: existing.probeId,
    probeFaceId: existing.id,
    isAlreadyRecorded: true,
    qualityVerdict: existing.serverQualityVerdict ?? existing.qualityVerdict,
  };
}

// Probe crops are content-addressed, so two submissions of the same crop share one file. A crop
// written by a transaction that then fails must be removed, but only if no committed row uses it and
// no other transaction is about to. Each writer therefore holds a transaction-scoped advisory lock on
// the crop's key from writing the file until it commits; the clean-up takes the same lock and removes
// the file only if, holding it, no row references the key. (Class 7201 keeps these locks apart from
// the audit chain's single-key lock.)
export const CROP_LOCK_CLASS = 7201;

async function lockCropKey(tx: TransactionClient, key: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${CROP_LOCK_CLASS}::int, hashtext(${key}))`;
}

/** Writes the checked crop inside the write transaction and registers its removal should that transaction fail. */
export async function storeProbeCrop(options: {
  tx: TransactionClient;
  crops: CropStore;
  verification: ProbeFaceVerification;
  onRollback: (undo: Compensation) => void;
}): Promise<StoredCrop> {
  const { tx, crops, verification } = options;
  await lockCropKey(tx, verification.crop.key);
  // Registered before writing: a write that fails half-way leaves nothing either.
  options.onRollback((prisma) => removeUnreferencedProbeCrop(prisma, crops, verification.crop.key));
  return crops.writePending(verification.crop);
}

export async function removeUnreferencedProbeCrop(prisma: PrismaClient, crops: CropStore, key: string): Promise<void> {
  await prisma.$transaction(async (tx) => {
    await lockCropKey(tx, key);
    if ((await tx.probeFace.count({ where: { cropKey: key } })) === 0) await crops.remove(key);
  });
}

/**
 * Records the still's provenance (not the still itself: only its hash, size and where it came from)
 * and the one face the investigator chose, with its embedding, its aligned crop and what the server
 * measured of it. Re-uploading the same still to the same case reuses its probe record. So does a clip
 * frame identical to one recorded before (a static scene encodes to the same bytes): the frames are the
 * same evidence, and the probe keeps the provenance of the one recorded first.
 */
export async function recordProbeFace(
  tx: TransactionClient,
  actor: Actor,
  options: { payload: RecordProbeFaceInput['payload']; crop: StoredCrop; verification: ProbeFaceVerification },
): Promise<RecordedProbeFace> {
  const { payload, crop, verification } = options;
  const { still, face } = payload;
  const probe = await tx.probe.upsert({
    where: { caseId_imageSha256: { caseId: payload.caseId, imageSha256: still.imageSha256 } },
    create: {
      caseId: payload.caseId,
      imageSha256: still.imageSha256,
      source: still.source,
      cameraLocation: still.cameraLocation ?? null,
      capturedAt: still.capturedAt ? new Date(still.capturedAt) : null,
      width: still.width,
      height: still.height,
      clipSha256: still.clip?.clipSha256 ?? null,
      clipFileName: still.clip?.fileName ?? null,
      frameTimeMs: still.clip?.frameTimeMs ?? null,
      uploadedById: actor.id,
    },
    update: {},
    select: { id: true },
  });
  const server = verification.serverQuality;
  const created = await tx.probeFace.create({
    data: {
      probeId: probe.id,
      box: face.box,
      landmarks: face.landmarks,
      // What the browser claimed is kept beside what the server measured, so a disagreement stays visible.
      quality: face.quality as object,
      qualityVerdict: face.quality.verdict,
      serverQuality: { metrics: finiteOrNull(server.metrics), reasons: server.reasons.map((reason) => ({ ...reason })) },
      serverQualityVerdict: server.verdict,
      embeddingAgreement: verification.embeddingAgreement,
      idempotencyKey: payload.idempotencyKey,
      isManualBox: face.isManualBox,
      detectorConfidence: face.detectorScore,
      cropKey: crop.key,
      cropSha256: crop.sha256,
      modelId: face.modelId,
      // The server's embedding of the stored crop, not the submitted one: the two agree (the check above),
      // and this way the vector searched is provably the stored crop's, made by the code the gallery was.
      embedding: embeddingToBytes(verification.embedding),
    },
    select: { id: true },
  });
  return { probeId: probe.id, probeFaceId: created.id, isAlreadyRecorded: false, qualityVerdict: server.verdict };
}

// JSON cannot carry NaN: a measurement that could not be taken is recorded as unknown.
function finiteOrNull(metrics: object): Record<string, number | null> {
  return Object.fromEntries(Object.entries(metrics).map(([key, value]) => [key, typeof value === 'number' && Number.isFinite(value) ? value : null]));
}
