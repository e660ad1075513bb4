import 'server-only';
import { specifyAction } from '@/lib/server/actions/create-action-definer';
import { getConfig } from '@/lib/server/config';
import type { TransactionClient } from '@/lib/server/db/database';
import { analyseEveryFace, describeFaces, pickFace, requireSameImage } from '@/lib/server/gallery/analyse-set-aside-image';
import { recordEnrolment, saveEnrolledCrop } from '@/lib/server/gallery/enrol-image';
import { cropStoreFor, type CropStore } from '@/lib/server/storage/crop-store';
import { getSharedFacePipeline } from '@/lib/server/vision/shared-face-pipeline';
import { AppError } from '@/lib/shared/errors';
import { dismissSetAsideSchema, enrolSetAsideFaceSchema, inspectSetAsideSchema } from '@/lib/shared/schemas/set-aside';
import type { FacePipeline } from '@/lib/vision/face-pipeline';

// Resolving images set aside at enrolment (several faces, none, poor quality): the administrator either
// picks the subject's face, which is then enrolled by the same write as every enrolment
// (recordEnrolment: quality, embedding, `pending` index state, the list's version), or dismisses the
// image with a reason. Either way the set-aside entry records who resolved it, when and how.

export type SetAsideDependencies = {
  getPipeline: () => Promise<FacePipeline>;
  getCropStore: () => CropStore;
};

export const SERVER_SET_ASIDE_DEPENDENCIES: SetAsideDependencies = {
  getPipeline: getSharedFacePipeline,
  getCropStore: () => cropStoreFor(getConfig().dataDir),
};

async function findOpenException(tx: TransactionClient, exceptionId: string) {
  const exception = await tx.enrolmentException.findFirst({
    where: { id: exceptionId, watchlist: { deletedAt: null } },
    select: {
      id: true,
      watchlistId: true,
      subjectRef: true,
      sourceLabel: true,
      imageSha256: true,
      reason: true,
      resolvedAt: true,
      watchlist: { select: { id: true, retentionDays: true } },
    },
  });
  if (!exception) throw new AppError('NOT_FOUND', 'No such set-aside image.');
  if (exception.resolvedAt) throw new AppError('CONFLICT', 'This set-aside image has already been resolved.');
  return exception;
}

/** Marks the entry resolved, once: a second resolution racing this one finds it taken. */
async function markResolved(
  tx: TransactionClient,
  exceptionId: string,
  resolution: { resolvedById: string; resolution: 'enrolled' | 'dismissed'; resolutionReason?: string; enrolledFaceId?: string },
): Promise<Date> {
  const resolvedAt = new Date();
  const marked = await tx.enrolmentException.updateMany({ where: { id: exceptionId, resolvedAt: null }, data: { ...resolution, resolvedAt } });
  if (marked.count !== 1) throw new AppError('CONFLICT', 'This set-aside image has already been resolved.');
  return resolvedAt;
}

export function inspectSetAsideSpec(dependencies: SetAsideDependencies = SERVER_SET_ASIDE_DEPENDENCIES) {
  return specifyAction({
    name: 'enrolment.inspect_set_aside',
    permission: 'watchlist:manage',
    input: inspectSetAsideSchema,
    authorize: ({ input, tx }) => findOpenException(tx, input.exceptionId),
    // The file is checked against the recorded hash before it is decoded; nothing of it is stored.
    async prepare({ input, authorized: exception }) {
      const bytes = new Uint8Array(await input.file.arrayBuffer());
      requireSameImage(bytes, exception.imageSha256);
      return describeFaces(await analyseEveryFace(await dependencies.getPipeline(), bytes));
    },
    async run({ authorized: exception, prepared: faces }) {
      return {
        data: { exceptionId: exception.id, subjectRef: exception.subjectRef, faces },
        target: { type: 'enrolment_exception', id: exception.id },
        auditPayload: { watchlistId: exception.watchlistId, imageSha256: exception.imageSha256, facesFound: faces.length },
      };
    },
  });
}

export function enrolSetAsideFaceSpec(dependencies: SetAsideDependencies = SERVER_SET_ASIDE_DEPENDENCIES) {
  return specifyAction({
    name: 'enrolment.enrol_set_aside',
    permission: 'watchlist:manage',
    input: enrolSetAsideFaceSchema,
    authorize: ({ input, tx }) => findOpenException(tx, input.exceptionId),
    async prepare({ input, authorized: exception }) {
      const bytes = new Uint8Array(await input.file.arrayBuffer());
      const imageSha256 = requireSameImage(bytes, exception.imageSha256);
      const pipeline = await dependencies.getPipeline();
      const analyses = await analyseEveryFace(pipeline, bytes);
      const face = pickFace(analyses, input.faceNumber);
      return { imageSha256, modelId: pipeline.recognizerId, face, facesFound: analyses.length };
    },
    async run({ actor, input, tx, authorized: exception, prepared, onRollback }) {
      const already = await tx.enrolledFace.findUnique({
        where: { watchlistId_imageSha256_modelId: { watchlistId: exception.watchlistId, imageSha256: prepared.imageSha256, modelId: prepared.modelId } },
        select: { id: true },
      });
      if (already) throw new AppError('CONFLICT', 'A face from this image is already enrolled in this watch-list.');
      // The crop is written only now, after every check, as the upload does; removed again if the
      // transaction fails and no committed face shares the (content-addressed) file.
      const store = dependencies.getCropStore();
      const crop = await saveEnrolledCrop(store, prepared.face.aligned, onRollback);
      const recorded = await recordEnrolment(tx, {
        watchlist: exception.watchlist,
        subjectReference: exception.subjectRef,
        sourceLabel: exception.sourceLabel,
        actor: { id: actor.id, role: actor.role },
        imageSha256: prepared.imageSha256,
        modelId: prepared.modelId,
        chosen: { ok: true, face: prepared.face },
        cropKey: crop.key,
      });
      if (recorded.outcome.status !== 'enrolled') throw new Error('recordEnrolment did not enrol a face it was given');
      const { enrolledFaceId, subjectId, verdict } = recorded.outcome;
      const resolvedAt = await markResolved(tx, exception.id, { resolvedById: actor.id, resolution: 'enrolled', enrolledFaceId });
      return {
        data: { exceptionId: exception.id, watchlistId: exception.watchlistId, enrolledFaceId, subjectId, verdict },
        target: { type: 'enrolment_exception', id: exception.id },
        auditPayload: {
          ...recorded.auditPayload,
          exceptionId: exception.id,
          enrolledFaceId,
          subjectId,
          faceNumber: input.faceNumber,
          facesFound: prepared.facesFound,
          previous: { resolvedAt: null, setAsideReason: exception.reason },
          next: { resolvedAt: resolvedAt.toISOString(), resolution: 'enrolled' },
        },
      };
    },
  });
}

export const dismissSetAsideSpec = specifyAction({
  name: 'enrolment.dismiss_set_aside',
  permission: 'watchlist:manage',
  input: dismissSetAsideSchema,
  authorize: ({ input, tx }) => findOpenException(tx, input.exceptionId),
  async run({ actor, input, tx, authorized: exception }) {
    const resolvedAt = await markResolved(tx, exception.id, { resolvedById: actor.id, resolution: 'dismissed', resolutionReason: input.reason });
    return {
      data: { exceptionId: exception.id, watchlistId: exception.watchlistId },
      target: { type: 'enrolment_exception', id: exception.id },
      auditPayload: {
        watchlistId: exception.watchlistId,
        subjectReference: exception.subjectRef,
        imageSha256: exception.imageSha256,
        reason: input.reason,
        previous: { resolvedAt: null, setAsideReason: exception.reason },
        next: { resolvedAt: resolvedAt.toISOString(), resolution: 'dismissed' },
      },
    };
  },
});
