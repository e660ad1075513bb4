import 'server-only';
import { specifyAction } from '@/lib/server/actions/create-action-definer';
import { requireInvestigators } from '@/lib/server/actions/specs/watchlists';
import { createWatchlistSchema } from '@/lib/shared/schemas/watchlist';

/** A new watch-list, owned by the administrator who creates it: on the admin page, or with `npm run enrol -- --create`. */
export const createWatchlistSpec = specifyAction({
  name: 'watchlist.create',
  permission: 'watchlist:manage',
  input: createWatchlistSchema,
  authorize: ({ input, tx }) => requireInvestigators(tx, input.searchableBy),
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
