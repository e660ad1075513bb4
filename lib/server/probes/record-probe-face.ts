import 'server-only';
import type { TransactionClient } from '@/lib/server/db/database';
import type { Actor } from '@/lib/server/auth/current-actor';
import { embeddingToBytes } from '@/lib/server/gallery/embedding-bytes';
import type { StoredCrop } from '@/lib/server/storage/crop-store';
import { AppError } from '@/lib/shared/errors';
import type { RecordProbeFaceInput } from '@/lib/shared/schemas/probe';

/** The case must be the actor's own and still open before a still can be added to it. */
export async function requireOpenCaseOfActor(tx: TransactionClient, actor: Actor, caseId: string): Promise<void> {
  const kase = await tx.case.findFirst({ where: { id: caseId, openedById: actor.id }, select: { status: true } });
  if (!kase) throw new AppError('NOT_FOUND', 'No such case, or it is not yours.');
  if (kase.status !== 'open') throw new AppError('CASE_CLOSED', 'This case is closed.');
}

/**
 * Records the still's provenance (not the still itself: only its hash, size and where it came from)
 * and the one face the investigator chose, with its embedding and aligned crop. Re-uploading the same
 * still to the same case reuses its probe record.
 */
export async function recordProbeFace(
  tx: TransactionClient,
  actor: Actor,
  input: RecordProbeFaceInput,
  crop: StoredCrop,
): Promise<{ probeId: string; probeFaceId: string }> {
  const { still, face } = input;
  const probe = await tx.probe.upsert({
    where: { caseId_imageSha256: { caseId: input.caseId, imageSha256: still.imageSha256 } },
    create: {
      caseId: input.caseId,
      imageSha256: still.imageSha256,
      source: still.source,
      cameraLocation: still.cameraLocation ?? null,
      capturedAt: still.capturedAt ? new Date(still.capturedAt) : null,
      width: still.width,
      height: still.height,
      uploadedById: actor.id,
    },
    update: {},
    select: { id: true },
  });
  const created = await tx.probeFace.create({
    data: {
      probeId: probe.id,
      box: face.box,
      landmarks: face.landmarks,
      quality: face.quality as object,
      qualityVerdict: face.quality.verdict,
      isManualBox: face.isManualBox,
      detectorConfidence: face.detectorScore,
      cropKey: crop.key,
      cropSha256: crop.sha256,
      modelId: face.modelId,
      embedding: embeddingToBytes(Float32Array.from(face.embedding)),
    },
    select: { id: true },
  });
  return { probeId: probe.id, probeFaceId: created.id };
}
