import 'server-only';
import { specifyAction } from '@/lib/server/actions/create-action-definer';
import { AppError } from '@/lib/shared/errors';
import { createWatchlistSchema } from '@/lib/shared/schemas/watchlist';

/** A new watch-list, owned by the administrator who creates it: on the admin page, or with `npm run enrol -- --create`. */
export const createWatchlistSpec = specifyAction({
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
