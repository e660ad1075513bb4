'use server';

import { revalidatePath } from 'next/cache';
import { composeAction } from '@/lib/server/actions/create-action-definer';
import { defineAction } from '@/lib/server/actions/define-action';
import { createWatchlistSpec } from '@/lib/server/actions/specs/create-watchlist';
import { markSubjectForErasure, markWatchlistForErasure } from '@/lib/server/gallery/erase-faces';
import { runGalleryMaintenance } from '@/lib/server/gallery/run-gallery-maintenance';
import { updateSubjectSpec, updateWatchlistSpec } from '@/lib/server/actions/specs/watchlists';
import { AppError } from '@/lib/shared/errors';
import { deleteWatchlistSchema, eraseSubjectSchema } from '@/lib/shared/schemas/watchlist';

// The same specification `npm run enrol -- --create` wraps.
const createWatchlistAction = defineAction(createWatchlistSpec);

export const createWatchlist = composeAction(createWatchlistAction, { onSuccess: () => revalidatePath('/admin/watchlists') });

const eraseSubjectAction = defineAction({
  name: 'watchlist.erase_subject',
  permission: 'watchlist:manage',
  input: eraseSubjectSchema,
  async authorize({ input, tx }) {
    const subject = await tx.subject.findFirst({
      where: { id: input.subjectId, deletedAt: null, watchlist: { deletedAt: null } },
      select: { id: true, reference: true, watchlistId: true },
    });
    if (!subject) throw new AppError('NOT_FOUND', 'No such subject, or already erased.');
    return subject;
  },
  async run({ input, tx, authorized: subject }) {
    const faces = await markSubjectForErasure(tx, subject.id);
    const { version } = await tx.watchlist.findUniqueOrThrow({ where: { id: subject.watchlistId }, select: { version: true } });
    return {
      data: { watchlistId: subject.watchlistId, faces },
      target: { type: 'subject', id: subject.id },
      auditPayload: { watchlistId: subject.watchlistId, reference: subject.reference, faces, reason: input.reason, version },
    };
  },
});

export const eraseSubject = composeAction(eraseSubjectAction, {
  async onSuccess({ watchlistId }) {
    await completeErasure();
    revalidatePath(`/admin/watchlists/${watchlistId}`);
  },
});

const deleteWatchlistAction = defineAction({
  name: 'watchlist.delete',
  permission: 'watchlist:manage',
  input: deleteWatchlistSchema,
  async authorize({ input, tx }) {
    const watchlist = await tx.watchlist.findFirst({ where: { id: input.watchlistId, deletedAt: null }, select: { id: true, name: true } });
    if (!watchlist) throw new AppError('NOT_FOUND', 'No such watch-list, or already deleted.');
    if (input.confirmName.trim() !== watchlist.name) {
      throw new AppError('VALIDATION', 'Type the watch-list name exactly to confirm.', { confirmName: ['Does not match the name.'] });
    }
    return watchlist;
  },
  async run({ input, tx, authorized: watchlist }) {
    const faces = await markWatchlistForErasure(tx, watchlist.id);
    return {
      data: { faces },
      target: { type: 'watchlist', id: watchlist.id },
      auditPayload: { name: watchlist.name, faces, reason: input.reason },
    };
  },
});

export const deleteWatchlist = composeAction(deleteWatchlistAction, {
  async onSuccess() {
    await completeErasure();
    revalidatePath('/admin/watchlists');
  },
});

const updateWatchlistAction = defineAction(updateWatchlistSpec);

/** Edits a list's terms (purpose, authority, retention, review date, who may search it); see the spec. */
export const updateWatchlist = composeAction(updateWatchlistAction, {
  onSuccess(data) {
    revalidatePath('/admin/watchlists');
    revalidatePath(`/admin/watchlists/${data.watchlistId}`);
  },
});

const updateSubjectAction = defineAction(updateSubjectSpec);

export const updateSubject = composeAction(updateSubjectAction, {
  onSuccess: (data) => revalidatePath(`/admin/watchlists/${data.watchlistId}`),
});

// After the commit the faces are already out of every search; removing them from the index and the
// disk may fail (index down) and is then finished by the next maintenance run or `npm run reconcile`.
async function completeErasure(): Promise<void> {
  try {
    await runGalleryMaintenance();
  } catch (error) {
    console.error('[erasure] index clean-up deferred:', error);
  }
}
