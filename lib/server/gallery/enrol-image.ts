import 'server-only';
import { createHash, randomUUID } from 'node:crypto';
import type { PrismaClient } from '@/lib/server/generated/prisma/client';
import { appendAuditEvent } from '@/lib/server/audit/append-audit-event';
import type { CropStore } from '@/lib/server/storage/crop-store';
import { decodeImageFile } from '@/lib/server/vision/decode-image-file';
import type { FaceAnalysis, FacePipeline } from '@/lib/vision/face-pipeline';
import { isVerdictBelow } from '@/lib/vision/face-quality';
import { VisionError } from '@/lib/vision/vision-error';
import { embeddingToBytes } from './embedding-bytes';

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

export type EnrolmentDependencies = { prisma: PrismaClient; pipeline: FacePipeline; crops: CropStore };

// A second face in a gallery image is usually a bystander, much smaller than the subject. Only when
// one usable face clearly dominates is it taken; otherwise a person decides.
const DOMINANT_AREA_RATIO = 2.5;

/**
 * Enrols one image into a watch-list: exactly one face of usable quality, or the image is set aside
 * with the reason. The face row is written with index state `pending`, in the same transaction as its
 * audit event; the vector index is updated afterwards by `syncVectorIndex`, and `reconcile` repairs
 * anything a crash left between the two.
 */
export async function enrolImage(deps: EnrolmentDependencies, input: EnrolImageInput): Promise<EnrolmentOutcome> {
  const imageSha256 = createHash('sha256').update(input.bytes).digest('hex');
  const modelId = deps.pipeline.recognizerId;

  const existing = await deps.prisma.enrolledFace.findUnique({
    where: { watchlistId_imageSha256_modelId: { watchlistId: input.watchlist.id, imageSha256, modelId } },
    select: { id: true },
  });
  if (existing) return { status: 'duplicate', enrolledFaceId: existing.id };
  const previouslySetAside = await deps.prisma.enrolmentException.findUnique({
    where: { watchlistId_imageSha256: { watchlistId: input.watchlist.id, imageSha256 } },
    select: { reason: true, details: true, resolvedAt: true },
  });
  if (previouslySetAside && !previouslySetAside.resolvedAt) {
    return {
      status: 'set_aside',
      reason: previouslySetAside.reason as SetAsideReason,
      message: String((previouslySetAside.details as { message?: string }).message ?? previouslySetAside.reason),
      isAlreadyRecorded: true,
    };
  }

  const chosen = await chooseFace(deps.pipeline, input.bytes);
  if (!chosen.ok) return setAside(deps.prisma, input, imageSha256, chosen.reason, chosen.message, chosen.details);
  const face = chosen.face;

  const crop = await deps.crops.savePixels('enrolled', face.aligned);
  const expiresAt = new Date(Date.now() + input.watchlist.retentionDays * 86_400_000);
  return deps.prisma.$transaction(async (tx) => {
    const subject = await tx.subject.upsert({
      where: { watchlistId_reference: { watchlistId: input.watchlist.id, reference: input.subjectReference } },
      create: { watchlistId: input.watchlist.id, reference: input.subjectReference, displayName: input.subjectName ?? input.subjectReference },
      update: {},
      select: { id: true, deletedAt: true },
    });
    if (subject.deletedAt) {
      await tx.subject.update({ where: { id: subject.id }, data: { deletedAt: null } });
    }
    const enrolled = await tx.enrolledFace.create({
      data: {
        subjectId: subject.id,
        watchlistId: input.watchlist.id,
        imageSha256,
        cropKey: crop.key,
        quality: { verdict: face.quality.verdict, metrics: face.quality.metrics, reasons: face.quality.reasons } as object,
        modelId,
        embedding: embeddingToBytes(face.embedding),
        vectorPointId: randomUUID(),
        indexState: 'pending',
        expiresAt,
      },
      select: { id: true },
    });
    await appendAuditEvent(tx, {
      actorId: input.actor.id,
      actorRole: input.actor.role,
      action: 'enrolment.enrol',
      outcome: 'success',
      targetType: 'enrolled_face',
      targetId: enrolled.id,
      payload: {
        watchlistId: input.watchlist.id,
        subjectReference: input.subjectReference,
        source: input.sourceLabel,
        imageSha256,
        modelId,
        verdict: face.quality.verdict,
      },
    });
    return { status: 'enrolled', enrolledFaceId: enrolled.id, subjectId: subject.id, verdict: face.quality.verdict } as const;
  });
}

type ChosenFace =
  | { ok: true; face: FaceAnalysis }
  | { ok: false; reason: SetAsideReason; message: string; details: Record<string, unknown> };

async function chooseFace(pipeline: FacePipeline, bytes: Uint8Array): Promise<ChosenFace> {
  let analyses: FaceAnalysis[];
  try {
    const { image } = await decodeImageFile(bytes);
    analyses = await pipeline.analyseImage(image);
  } catch (error) {
    if (error instanceof VisionError) {
      return { ok: false, reason: 'unreadable', message: error.message, details: { code: error.code } };
    }
    throw error;
  }
  if (analyses.length === 0) return { ok: false, reason: 'no_face', message: 'No face was found in the image.', details: {} };

  const usable = analyses
    .filter((analysis) => !isVerdictBelow(analysis.quality.verdict, 'usable'))
    .sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
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
  if (second && first.box.width * first.box.height < DOMINANT_AREA_RATIO * second.box.width * second.box.height) {
    return {
      ok: false,
      reason: 'several_faces',
      message: `${usable.length} faces of similar size were found; enrol a picture of the subject alone.`,
      details: { faces: analyses.length },
    };
  }
  return { ok: true, face: first };
}

async function setAside(
  prisma: PrismaClient,
  input: EnrolImageInput,
  imageSha256: string,
  reason: SetAsideReason,
  message: string,
  details: Record<string, unknown>,
): Promise<EnrolmentOutcome> {
  await prisma.$transaction(async (tx) => {
    const exception = await tx.enrolmentException.upsert({
      where: { watchlistId_imageSha256: { watchlistId: input.watchlist.id, imageSha256 } },
      create: {
        watchlistId: input.watchlist.id,
        subjectRef: input.subjectReference,
        sourceLabel: input.sourceLabel,
        imageSha256,
        reason,
        details: { message, ...details } as object,
      },
      update: { reason, details: { message, ...details } as object, resolvedAt: null },
      select: { id: true },
    });
    await appendAuditEvent(tx, {
      actorId: input.actor.id,
      actorRole: input.actor.role,
      action: 'enrolment.set_aside',
      outcome: 'refused',
      targetType: 'enrolment_exception',
      targetId: exception.id,
      payload: { watchlistId: input.watchlist.id, subjectReference: input.subjectReference, source: input.sourceLabel, imageSha256, reason },
    });
  });
  return { status: 'set_aside', reason, message, isAlreadyRecorded: false };
}
