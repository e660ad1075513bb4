'use server';

import { revalidatePath } from 'next/cache';
import { authorizeCreation } from '@/lib/server/actions/create-action-definer';
import { defineAction } from '@/lib/server/actions/define-action';
import { createWatchlistSchema } from '@/lib/shared/schemas/watchlist';

const createWatchlistAction = defineAction({
  name: 'watchlist.create',
  permission: 'watchlist:manage',
  input: createWatchlistSchema,
  authorize: authorizeCreation,
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

export async function createWatchlist(input: unknown) {
  const result = await createWatchlistAction(input);
  if (result.ok) revalidatePath('/admin/watchlists');
  return result;
}
