'use server';

import { revalidatePath } from 'next/cache';
import { composeAction } from '@/lib/server/actions/create-action-definer';
import { defineAction } from '@/lib/server/actions/define-action';
import { markSubjectForErasure, markWatchlistForErasure } from '@/lib/server/gallery/erase-faces';
import { runGalleryMaintenance } from '@/lib/server/gallery/run-gallery-maintenance';
import { AppError } from '@/lib/shared/errors';
import { createWatchlistSchema, deleteWatchlistSchema, eraseSubjectSchema } from '@/lib/shared/schemas/watchlist';

const createWatchlistAction = defineAction({
  name: 'watchlist.create',
  permission: 'watchlist:manage',
  input: createWatchlistSchema,
  async authorize({ input, tx }) {
    const investigators = await tx.user.count({ where: { id: { in: input.searchableBy }, role: 'investigator' } });
    if (investigators !== new Set(input.searchableBy).size) {
      throw new AppError('VALIDATION', 'Only investigators can be allowed to search a watch-list.', { searchableBy: ['Choose investigators only.'] });
    }
  },
  async run({ actor, input, tx }) {
    const created = await tx.watchlist.create({
      data: { ...input, reviewDate: new Date(`${input.reviewDate}T00:00:00Z`), ownerId: actor.id },
      select: { id: true },
    });
    return {
      data: { watchlistId: created.id },
      target: { type: 'watchlist', id: created.id },
      auditPayload: { ...input },
    };
  },
});

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
    return {
      data: { watchlistId: subject.watchlistId, faces },
      target: { type: 'subject', id: subject.id },
      auditPayload: { watchlistId: subject.watchlistId, reference: subject.reference, faces, reason: input.reason },
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

// After the commit the faces are already out of every search; removing them from the index and the
// disk may fail (index down) and is then finished by the next maintenance run or `npm run reconcile`.
async function completeErasure(): Promise<void> {
  try {
    await runGalleryMaintenance();
  } catch (error) {
    console.error('[erasure] index clean-up deferred:', error);
  }
}
