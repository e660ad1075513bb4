import 'server-only';
import { specifyAction } from '@/lib/server/actions/create-action-definer';
import type { TransactionClient } from '@/lib/server/db/database';
import { bumpWatchlistVersion } from '@/lib/server/gallery/watchlist-version';
import { AppError } from '@/lib/shared/errors';
import { updateSubjectSchema, updateWatchlistSchema, WATCHLIST_TERM_FIELDS, type UpdateWatchlistInput } from '@/lib/shared/schemas/watchlist';

// Edits of a watch-list's terms and of its subjects. Each edit records, in its audit event, the
// previous and the new value of every field it changed (the list's history is read from those events)
// and moves the list to a new version in the same transaction.

/** Only investigators can be allowed to search a list (the same rule as at creation). */
export async function requireInvestigators(tx: TransactionClient, userIds: string[]): Promise<void> {
  const investigators = await tx.user.count({ where: { id: { in: userIds }, role: 'investigator' } });
  if (investigators !== new Set(userIds).size) {
    throw new AppError('VALIDATION', 'Only investigators can be allowed to search a watch-list.', { searchableBy: ['Choose investigators only.'] });
  }
}

type WatchlistTerms = Omit<UpdateWatchlistInput, 'watchlistId'>;
type TermChanges = { previous: Partial<WatchlistTerms>; next: Partial<WatchlistTerms> };

function changedTerms(before: WatchlistTerms, after: WatchlistTerms): TermChanges {
  const changes: TermChanges = { previous: {}, next: {} };
  for (const field of WATCHLIST_TERM_FIELDS) {
    // Who may search is a set: the order the boxes were ticked in is not a change.
    const same =
      field === 'searchableBy'
        ? [...new Set(before.searchableBy)].sort().join() === [...new Set(after.searchableBy)].sort().join()
        : before[field] === after[field];
    if (same) continue;
    (changes.previous as Record<string, unknown>)[field] = before[field];
    (changes.next as Record<string, unknown>)[field] = field === 'searchableBy' ? [...new Set(after.searchableBy)].sort() : after[field];
  }
  return changes;
}

export const updateWatchlistSpec = specifyAction({
  name: 'watchlist.update',
  permission: 'watchlist:manage',
  input: updateWatchlistSchema,
  async authorize({ input, tx }) {
    const watchlist = await tx.watchlist.findFirst({
      where: { id: input.watchlistId, deletedAt: null },
      select: { id: true, purpose: true, authority: true, retentionDays: true, reviewDate: true, searchableBy: true },
    });
    if (!watchlist) throw new AppError('NOT_FOUND', 'No such watch-list, or it has been deleted.');
    await requireInvestigators(tx, input.searchableBy);
    return watchlist;
  },
  async run({ input, tx, authorized: current }) {
    const { watchlistId, ...next } = input;
    const before: WatchlistTerms = {
      purpose: current.purpose,
      authority: current.authority,
      retentionDays: current.retentionDays,
      reviewDate: current.reviewDate.toISOString().slice(0, 10),
      searchableBy: [...current.searchableBy].sort(),
    };
    const changes = changedTerms(before, next);
    const fields = Object.keys(changes.next);
    // A save that changes nothing is not an edit: it would add a version and a history line for nothing.
    if (fields.length === 0) throw new AppError('VALIDATION', 'Nothing was changed.');
    await tx.watchlist.update({
      where: { id: watchlistId },
      data: { ...next, searchableBy: [...new Set(next.searchableBy)], reviewDate: new Date(`${next.reviewDate}T00:00:00Z`) },
    });
    // A list's retention period applies to every face in it, counted from each face's enrolment: a
    // shorter period brings expiry forward (the retention job erases what is now due), a longer one
    // extends it. Faces already on their way out are left alone.
    const facesRescheduled =
      changes.next.retentionDays === undefined
        ? 0
        : await tx.$executeRaw`
            UPDATE "enrolled_faces" SET "expires_at" = "created_at" + make_interval(days => ${next.retentionDays}::int)
            WHERE "watchlist_id" = ${watchlistId}::uuid AND "index_state" IN ('pending', 'indexed')`;
    const version = await bumpWatchlistVersion(tx, watchlistId);
    return {
      data: { watchlistId, version, fields },
      target: { type: 'watchlist', id: watchlistId },
      auditPayload: { watchlistId, previous: changes.previous, next: changes.next, version, facesRescheduled },
    };
  },
});

export const updateSubjectSpec = specifyAction({
  name: 'watchlist.update_subject',
  permission: 'watchlist:manage',
  input: updateSubjectSchema,
  async authorize({ input, tx }) {
    const subject = await tx.subject.findFirst({
      where: { id: input.subjectId, deletedAt: null, watchlist: { deletedAt: null } },
      select: { id: true, reference: true, displayName: true, watchlistId: true },
    });
    if (!subject) throw new AppError('NOT_FOUND', 'No such subject, or it has been erased.');
    return subject;
  },
  async run({ input, tx, authorized: subject }) {
    const previous: Record<string, string> = {};
    const next: Record<string, string> = {};
    for (const field of ['reference', 'displayName'] as const) {
      if (subject[field] === input[field]) continue;
      previous[field] = subject[field];
      next[field] = input[field];
    }
    if (Object.keys(next).length === 0) throw new AppError('VALIDATION', 'Nothing was changed.');
    if (next.reference !== undefined) {
      // Erased subjects keep their reference (past searches name them), so it stays taken.
      const clash = await tx.subject.findFirst({ where: { watchlistId: subject.watchlistId, reference: input.reference, id: { not: subject.id } }, select: { id: true } });
      if (clash) throw new AppError('VALIDATION', 'Another subject of this watch-list has this reference.', { reference: ['Already used in this watch-list.'] });
    }
    await tx.subject.update({ where: { id: subject.id }, data: next });
    const version = await bumpWatchlistVersion(tx, subject.watchlistId);
    return {
      data: { subjectId: subject.id, watchlistId: subject.watchlistId, version },
      target: { type: 'subject', id: subject.id },
      auditPayload: { watchlistId: subject.watchlistId, previous, next, version },
    };
  },
});
