'use server';

import { revalidatePath } from 'next/cache';
import { composeAction } from '@/lib/server/actions/create-action-definer';
import { defineAction } from '@/lib/server/actions/define-action';
import { getConfig } from '@/lib/server/config';
import { getPrisma } from '@/lib/server/db/database';
import { chooseEnrolmentFace, findEarlierOutcome, recordEnrolment, sha256Hex } from '@/lib/server/gallery/enrol-image';
import { syncVectorIndex } from '@/lib/server/gallery/sync-vector-index';
import { cropStoreFor } from '@/lib/server/storage/crop-store';
import { getVectorIndex } from '@/lib/server/vector/get-vector-index';
import { getSharedFacePipeline } from '@/lib/server/vision/shared-face-pipeline';
import { AppError } from '@/lib/shared/errors';
import { enrolUploadSchema } from '@/lib/shared/schemas/enrolment';

const enrolUploadAction = defineAction({
  name: 'enrolment.upload',
  permission: 'watchlist:manage',
  input: enrolUploadSchema,
  async authorize({ input, tx }) {
    const watchlist = await tx.watchlist.findFirst({ where: { id: input.watchlistId, deletedAt: null }, select: { id: true, retentionDays: true } });
    if (!watchlist) throw new AppError('NOT_FOUND', 'No such watch-list.');
    return watchlist;
  },
  // Decoding and the models run after the watch-list check and before the transaction: an upload
  // never holds the database, and nothing is written to disk for a refused one.
  async prepare({ input }) {
    const pipeline = await getSharedFacePipeline();
    const bytes = new Uint8Array(await input.file.arrayBuffer());
    const chosen = await chooseEnrolmentFace(pipeline, bytes);
    return { imageSha256: sha256Hex(bytes), modelId: pipeline.recognizerId, chosen };
  },
  async run({ actor, input, tx, authorized: watchlist, prepared, onRollback }) {
    const base = { watchlist, subjectReference: input.subjectReference, sourceLabel: input.fileName, actor: { id: actor.id, role: actor.role } };
    const earlier = await findEarlierOutcome(tx, watchlist.id, prepared.imageSha256, prepared.modelId);
    if (earlier) {
      return { data: earlier, target: { type: 'watchlist', id: watchlist.id }, auditPayload: { imageSha256: prepared.imageSha256, skipped: earlier.status } };
    }
    const store = cropStoreFor(getConfig().dataDir);
    const crop = prepared.chosen.ok ? await store.savePixels('enrolled', prepared.chosen.face.aligned) : null;
    if (crop) {
      // Crops are content-addressed: the same image enrolled in another list shares the file, so it is
      // removed on rollback only if no committed row points at it.
      onRollback(async (prisma) => {
        const isReferenced = (await prisma.enrolledFace.count({ where: { cropKey: crop.key } })) > 0;
        if (!isReferenced) await store.remove(crop.key);
      });
    }
    const recorded = await recordEnrolment(tx, { ...base, ...prepared, cropKey: crop?.key ?? null });
    return { data: recorded.outcome, target: recorded.target, auditPayload: { ...recorded.auditPayload, status: recorded.outcome.status } };
  },
});

/** One image per call, so the page can show progress, a result per file and retry the failures. */
export const enrolUploadedImage = composeAction(enrolUploadAction, {
  readInput: (formData: FormData) => ({
    watchlistId: formData.get('watchlistId'),
    subjectReference: formData.get('subjectReference'),
    fileName: formData.get('fileName'),
    file: formData.get('file'),
  }),
  async after(result, formData) {
    if (result.ok && result.data.status === 'enrolled') {
      // After the commit: a failure here leaves the face `pending`, which the next sync or
      // `npm run reconcile` completes; the enrolment itself is not lost.
      try {
        await syncVectorIndex(await getPrisma(), getVectorIndex());
      } catch (error) {
        console.error('[enrolment] vector index sync deferred:', error);
        return { ...result, indexPending: true };
      }
    }
    if (result.ok) revalidatePath(`/admin/watchlists/${String(formData.get('watchlistId'))}`);
    return { ...result, indexPending: false };
  },
});
