import 'server-only';
import { specifyAction } from '@/lib/server/actions/create-action-definer';
import { getConfig } from '@/lib/server/config';
import {
  APP_ENROLMENT_POLICY,
  chooseEnrolmentFace,
  findEarlierOutcome,
  recordEnrolment,
  saveEnrolledCrop,
  sha256Hex,
  type EnrolmentPolicy,
} from '@/lib/server/gallery/enrol-image';
import { cropStoreFor, type CropStore } from '@/lib/server/storage/crop-store';
import { getSharedFacePipeline } from '@/lib/server/vision/shared-face-pipeline';
import { AppError } from '@/lib/shared/errors';
import { enrolImageSchema } from '@/lib/shared/schemas/enrolment';
import type { FacePipeline } from '@/lib/vision/face-pipeline';

export type EnrolmentSpecDependencies = {
  getPipeline: () => Promise<FacePipeline>;
  getCropStore: () => CropStore;
  /** The app's strict policy unless said otherwise (the evaluation harness relaxes it, and says so). */
  policy?: EnrolmentPolicy;
};

/**
 * Enrols one image into a watch-list, for the admin page's upload and `npm run enrol` alike: the same
 * checks, the same writes and the same audit event (`enrolment.enrol`, with `status` enrolled,
 * duplicate or set_aside) whoever sends the image and from where; only the request context says
 * whether it came from a browser or the command line.
 *
 * Resumable and idempotent: an image already enrolled in the list with this model (same SHA-256), or
 * already set aside and not yet resolved, is found in the object check and skipped without decoding,
 * so a bulk run that was interrupted is simply started again.
 */
export function specifyEnrolImage(dependencies: EnrolmentSpecDependencies) {
  return specifyAction({
    name: 'enrolment.enrol',
    permission: 'watchlist:manage',
    input: enrolImageSchema,
    async authorize({ input, tx }) {
      const watchlist = await tx.watchlist.findFirst({ where: { id: input.watchlistId, deletedAt: null }, select: { id: true, retentionDays: true } });
      if (!watchlist) throw new AppError('NOT_FOUND', 'No such watch-list.');
      // Hashing reads the bytes but decodes nothing; the model id is known without running a model.
      const imageSha256 = sha256Hex(new Uint8Array(await input.file.arrayBuffer()));
      const modelId = (await dependencies.getPipeline()).recognizerId;
      const earlier = await findEarlierOutcome(tx, watchlist.id, imageSha256, modelId);
      return { watchlist, imageSha256, modelId, earlier };
    },
    // Decoding and the models run after the watch-list check and before the transaction: an upload
    // never holds the database, and nothing is written to disk for a refused one.
    async prepare({ input, authorized }) {
      if (authorized.earlier) return { chosen: null };
      const pipeline = await dependencies.getPipeline();
      return { chosen: await chooseEnrolmentFace(pipeline, new Uint8Array(await input.file.arrayBuffer()), dependencies.policy ?? APP_ENROLMENT_POLICY) };
    },
    async run({ actor, input, tx, authorized: { watchlist, imageSha256, modelId, earlier }, prepared, onRollback }) {
      const described = { watchlistId: watchlist.id, subjectReference: input.subjectReference, source: input.fileName, imageSha256, modelId };
      if (earlier) {
        const target = earlier.status === 'duplicate' ? { type: 'enrolled_face', id: earlier.enrolledFaceId } : { type: 'watchlist', id: watchlist.id };
        return { data: earlier, target, auditPayload: { ...described, status: earlier.status, isSkipped: true } };
      }
      // Known on the first check, gone by the second (a set-aside image resolved meanwhile): it was
      // never decoded, so it cannot be enrolled in this call.
      if (!prepared.chosen) throw new AppError('CONFLICT', 'This image was resolved while it was being sent; send it again.');
      const store = dependencies.getCropStore();
      const crop = prepared.chosen.ok ? await saveEnrolledCrop(store, prepared.chosen.face.aligned, onRollback) : null;
      const recorded = await recordEnrolment(tx, {
        watchlist,
        subjectReference: input.subjectReference,
        sourceLabel: input.fileName,
        actor: { id: actor.id, role: actor.role },
        imageSha256,
        modelId,
        chosen: prepared.chosen,
        cropKey: crop?.key ?? null,
      });
      return { data: recorded.outcome, target: recorded.target, auditPayload: { ...described, ...recorded.auditPayload, status: recorded.outcome.status, isSkipped: false } };
    },
  });
}

/** The specification the server and `npm run enrol` wrap: the app's policy, the shared models and crop store. */
export const enrolImageSpec = specifyEnrolImage({ getPipeline: getSharedFacePipeline, getCropStore: () => cropStoreFor(getConfig().dataDir) });
