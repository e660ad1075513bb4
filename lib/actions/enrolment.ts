'use server';

import { revalidatePath } from 'next/cache';
import { composeAction } from '@/lib/server/actions/create-action-definer';
import { defineAction } from '@/lib/server/actions/define-action';
import { enrolImageSpec } from '@/lib/server/actions/specs/enrolment';
import { getPrisma } from '@/lib/server/db/database';
import { syncVectorIndex } from '@/lib/server/gallery/sync-vector-index';
import { getVectorIndex } from '@/lib/server/vector/get-vector-index';

// The same specification `npm run enrol` wraps: one path, one audit event for one outcome.
const enrolImageAction = defineAction(enrolImageSpec);

/** One image per call, so the page can show progress, a result per file and retry the failures. */
export const enrolUploadedImage = composeAction(enrolImageAction, {
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
