import 'server-only';
import { createHash, randomUUID } from 'node:crypto';
import type { Compensation } from '@/lib/server/actions/create-action-definer';
import type { PrismaClient } from '@/lib/server/generated/prisma/client';
import type { CropStore, StoredCrop } from '@/lib/server/storage/crop-store';
import type { TransactionClient } from '@/lib/server/db/database';
import { decodeImageFile } from '@/lib/server/vision/decode-image-file';
import { AppError } from '@/lib/shared/errors';
import { pickPrimaryFace, type FaceAnalysis, type FacePipeline } from '@/lib/vision/face-pipeline';
import { isVerdictBelow } from '@/lib/vision/face-quality';
import type { RgbImage } from '@/lib/vision/pixel-image';
import { VisionError } from '@/lib/vision/vision-error';
import { embeddingToBytes } from './embedding-bytes';
import { bumpWatchlistVersion } from './watchlist-version';

export type EnrolmentActor = { id: string | null; role: string };

export type SetAsideReason = 'unreadable' | 'no_face' | 'several_faces' | 'poor_quality';

export type EnrolmentOutcome =
  | { status: 'enrolled'; enrolledFaceId: string; subjectId: string; verdict: string }
  | { status: 'duplicate'; enrolledFaceId: string }
  | { status: 'set_aside'; reason: SetAsideReason; message: string; isAlreadyRecorded: boolean };

export type EnrolImageInput = {
  watchlist: { id: string; retentionDays: number };
  subjectReference: string;
  subjectName?: string;
  bytes: Uint8Array;
  /** Where the image came from (file name or CSV path), for the audit trail and the set-aside list. */
  sourceLabel: string;
  actor: EnrolmentActor;
};

/**
 * What an image must show to be enrolled. The app's policy is strict: one clear face of usable
 * quality, anything else goes to a person. The evaluation harness relaxes it, so that accuracy is
 * measured on every gallery image (its summary reports how many needed the relaxation).
 */
export type EnrolmentPolicy = {
  minimumQuality: 'usable' | 'poor';
  /** With several faces: set the image aside, or take the primary one (largest and most confident). */
  severalFaces: 'set_aside' | 'take_primary';
  /** When the normal detection pass finds nothing, look again with these looser settings. */
  lowConfidenceRetry?: { scoreThreshold: number; minFaceSize: number };
};

export const APP_ENROLMENT_POLICY: EnrolmentPolicy = { minimumQuality: 'usable', severalFaces: 'set_aside' };

// A second face in a gallery image is usually a bystander, further from the camera (or cut off at the
// frame's edge) and so with a much shorter distance between the eyes than the subject's. Only when
// one usable face clearly dominates by that measure is it taken; otherwise a person decides.
const DOMINANT_EYE_DISTANCE_RATIO = 1.5;

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Makes enrolment resumable and idempotent: the same image is never enrolled (or judged) twice. */
export async function findEarlierOutcome(
  db: PrismaClient | TransactionClient,
  watchlistId: string,
  imageSha256: string,
  modelId: string,
): Promise<EnrolmentOutcome | null> {
  const existing = await db.enrolledFace.findUnique({
    where: { watchlistId_imageSha256_modelId: { watchlistId, imageSha256, modelId } },
    select: { id: true },
  });
  if (existing) return { status: 'duplicate', enrolledFaceId: existing.id };
  const previouslySetAside = await db.enrolmentException.findUnique({
    where: { watchlistId_imageSha256: { watchlistId, imageSha256 } },
    select: { reason: true, details: true, resolvedAt: true, resolution: true },
  });
  // An image an administrator dismissed stays dismissed: a rerun over the same folder skips it.
  const isDismissed = previouslySetAside?.resolution === 'dismissed' && previouslySetAside.resolvedAt !== null;
  if (previouslySetAside && (!previouslySetAside.resolvedAt || isDismissed)) {
    return {
      status: 'set_aside',
      reason: previouslySetAside.reason as SetAsideReason,
      message: isDismissed
        ? 'Dismissed by an administrator (see the watch-list\'s set-aside list).'
        : String((previouslySetAside.details as { message?: string }).message ?? previouslySetAside.reason),
      isAlreadyRecorded: true,
    };
  }
  return null;
}

export type ChosenFace =
  | { ok: true; face: FaceAnalysis }
  | { ok: false; reason: SetAsideReason; message: string; details: Record<string, unknown> };

export async function chooseEnrolmentFace(
  pipeline: FacePipeline,
  bytes: Uint8Array,
  policy: EnrolmentPolicy = APP_ENROLMENT_POLICY,
): Promise<ChosenFace> {
  let analyses: FaceAnalysis[];
  let image: RgbImage;
  try {
    ({ image } = await decodeImageFile(bytes));
  } catch (error) {
    // Not an image, not a still, or larger than the pixel limit: refused, not set aside. There is
    // nothing in it for a person to resolve, and nothing of it is kept.
    if (error instanceof VisionError) throw new AppError('VALIDATION', error.message, { file: [error.message] });
    throw error;
  }
  try {
    let faces = await pipeline.detectFaces(image);
    if (faces.length === 0 && policy.lowConfidenceRetry) faces = await pipeline.detectFaces(image, policy.lowConfidenceRetry);
    if (policy.severalFaces === 'take_primary') {
      const primary = pickPrimaryFace(faces);
      faces = primary ? [primary] : [];
    }
    analyses = [];
    for (const face of faces) analyses.push(await pipeline.analyseFace(image, face));
  } catch (error) {
    if (error instanceof VisionError) {
      return { ok: false, reason: 'unreadable', message: error.message, details: { code: error.code } };
    }
    throw error;
  }
  if (analyses.length === 0) return { ok: false, reason: 'no_face', message: 'No face was found in the image.', details: {} };

  const usable = analyses
    .filter((analysis) => !isVerdictBelow(analysis.quality.verdict, policy.minimumQuality))
    .sort((a, b) => b.quality.metrics.interEyePx - a.quality.metrics.interEyePx);
  const [first, second] = usable;
  if (!first) {
    const best = analyses[0]!;
    return {
      ok: false,
      reason: 'poor_quality',
      message: `Face quality is too poor to enrol: ${best.quality.reasons.map((reason) => reason.message).join('; ')}`,
      details: { faces: analyses.length, metrics: best.quality.metrics },
    };
  }
  if (second && first.quality.metrics.interEyePx < DOMINANT_EYE_DISTANCE_RATIO * second.quality.metrics.interEyePx) {
    return {
      ok: false,
      reason: 'several_faces',
      message: `${usable.length} faces of similar size were found; enrol a picture of the subject alone.`,
      details: { faces: analyses.length },
    };
  }
  return { ok: true, face: first };
}

export type RecordedEnrolment = {
  outcome: EnrolmentOutcome;
  target: { type: string; id: string };
  auditPayload: Record<string, unknown>;
};

/**
 * Writes the result of one image inside the caller's transaction (the caller appends the audit
 * event): an enrolled face in state `pending`, or an entry on the watch-list's set-aside list.
 */
export async function recordEnrolment(
  tx: TransactionClient,
  input: Omit<EnrolImageInput, 'bytes'> & { imageSha256: string; modelId: string; chosen: ChosenFace; cropKey: string | null },
): Promise<RecordedEnrolment> {
  const common = { watchlistId: input.watchlist.id, subjectReference: input.subjectReference, source: input.sourceLabel, imageSha256: input.imageSha256 };
  if (!input.chosen.ok || !input.cropKey) {
    const failure = input.chosen.ok
      ? { reason: 'unreadable' as const, message: 'The face crop could not be stored.', details: {} }
      : input.chosen;
    const exception = await tx.enrolmentException.upsert({
      where: { watchlistId_imageSha256: { watchlistId: input.watchlist.id, imageSha256: input.imageSha256 } },
      create: {
        watchlistId: input.watchlist.id,
        subjectRef: input.subjectReference,
        sourceLabel: input.sourceLabel,
        imageSha256: input.imageSha256,
        reason: failure.reason,
        details: { message: failure.message, ...failure.details } as object,
      },
      update: { reason: failure.reason, details: { message: failure.message, ...failure.details } as object, resolvedAt: null },
      select: { id: true },
    });
    return {
      outcome: { status: 'set_aside', reason: failure.reason, message: failure.message, isAlreadyRecorded: false },
      target: { type: 'enrolment_exception', id: exception.id },
      auditPayload: { ...common, reason: failure.reason },
    };
  }

  const face = input.chosen.face;
  const subject = await tx.subject.upsert({
    where: { watchlistId_reference: { watchlistId: input.watchlist.id, reference: input.subjectReference } },
    create: { watchlistId: input.watchlist.id, reference: input.subjectReference, displayName: input.subjectName ?? input.subjectReference },
    update: { deletedAt: null },
    select: { id: true },
  });
  const enrolled = await tx.enrolledFace.create({
    data: {
      subjectId: subject.id,
      watchlistId: input.watchlist.id,
      imageSha256: input.imageSha256,
      cropKey: input.cropKey,
      quality: { verdict: face.quality.verdict, metrics: face.quality.metrics, reasons: face.quality.reasons } as object,
      modelId: input.modelId,
      embedding: embeddingToBytes(face.embedding),
      vectorPointId: randomUUID(),
      indexState: 'pending',
      expiresAt: new Date(Date.now() + input.watchlist.retentionDays * 86_400_000),
    },
    select: { id: true },
  });
  // Every enrolment, whichever path made it (upload, CLI, a resolved set-aside image), changes the list.
  const watchlistVersion = await bumpWatchlistVersion(tx, input.watchlist.id);
  return {
    outcome: { status: 'enrolled', enrolledFaceId: enrolled.id, subjectId: subject.id, verdict: face.quality.verdict },
    target: { type: 'enrolled_face', id: enrolled.id },
    auditPayload: { ...common, modelId: input.modelId, verdict: face.quality.verdict, watchlistVersion },
  };
}

/**
 * Saves an enrolled face's crop from inside an action's `run`, with its undo. Crops are
 * content-addressed: the same image enrolled in another list shares the file, so a rolled-back
 * enrolment removes it only if no committed row points at it.
 */
export async function saveEnrolledCrop(store: CropStore, image: RgbImage, onRollback: (undo: Compensation) => void): Promise<StoredCrop> {
  const crop = await store.savePixels('enrolled', image);
  onRollback(async (prisma) => {
    const isReferenced = (await prisma.enrolledFace.count({ where: { cropKey: crop.key } })) > 0;
    if (!isReferenced) await store.remove(crop.key);
  });
  return crop;
}
