'use server';

import { revalidatePath } from 'next/cache';
import { composeAction } from '@/lib/server/actions/create-action-definer';
import { defineAction } from '@/lib/server/actions/define-action';
import { dismissSetAsideSpec, enrolSetAsideFaceSpec, inspectSetAsideSpec } from '@/lib/server/actions/specs/set-aside';
import { getPrisma } from '@/lib/server/db/database';
import { syncVectorIndex } from '@/lib/server/gallery/sync-vector-index';
import { getVectorIndex } from '@/lib/server/vector/get-vector-index';

// Resolving images set aside at enrolment; the rules are in lib/server/actions/specs/set-aside.ts.

const inspectSetAsideAction = defineAction(inspectSetAsideSpec());
const enrolSetAsideFaceAction = defineAction(enrolSetAsideFaceSpec());
const dismissSetAsideAction = defineAction(dismissSetAsideSpec);

/** The faces in the re-supplied original file (checked against the recorded SHA-256), to pick from. */
export const inspectSetAsideImage = composeAction(inspectSetAsideAction, {
  readInput: (formData: FormData) => ({ exceptionId: formData.get('exceptionId'), file: formData.get('file') }),
});

/** Enrols the picked face for the set-aside subject, then brings the index up to date, as an upload does. */
export const enrolSetAsideFace = composeAction(enrolSetAsideFaceAction, {
  readInput: (formData: FormData) => ({ exceptionId: formData.get('exceptionId'), file: formData.get('file'), faceNumber: formData.get('faceNumber') }),
  async after(result) {
    if (!result.ok) return { ...result, indexPending: false };
    revalidatePath(`/admin/watchlists/${result.data.watchlistId}`);
    try {
      // After the commit: a failure leaves the face `pending`, which the next sync or `npm run reconcile` completes.
      await syncVectorIndex(await getPrisma(), getVectorIndex());
    } catch (error) {
      console.error('[enrolment] vector index sync deferred:', error);
      return { ...result, indexPending: true };
    }
    return { ...result, indexPending: false };
  },
});

export const dismissSetAside = composeAction(dismissSetAsideAction, {
  onSuccess: (data) => revalidatePath(`/admin/watchlists/${data.watchlistId}`),
});
