import { z } from 'zod';
import { subjectReferenceSchema } from './enrolment';

// The terms of a watch-list, as created and as edited.
const watchlistTerms = {
  purpose: z.string().trim().min(10, 'Describe the purpose (at least 10 characters).').max(2000),
  authority: z.string().trim().min(5, 'Name the legal authority.').max(500),
  retentionDays: z.coerce.number().int('Whole days only.').min(1, 'At least 1 day.').max(3650, 'At most 10 years.'),
  reviewDate: z.iso.date('Use a date (YYYY-MM-DD).'),
  /** Investigators allowed to search the list; none means every investigator. */
  // A form sends one value per ticked box: none, one (a string) or several.
  searchableBy: z.preprocess(
    (value) => (value === undefined || value === '' ? [] : Array.isArray(value) ? value : [value]),
    z.array(z.string().uuid('Unknown user.')).max(500),
  ),
};

export const createWatchlistSchema = z.object({
  name: z.string().trim().min(3, 'Name must be at least 3 characters.').max(120),
  ...watchlistTerms,
});
export type CreateWatchlistInput = z.infer<typeof createWatchlistSchema>;

/** Every term is sent (the form shows them all); only those that differ are changed and audited. */
export const updateWatchlistSchema = z.object({
  watchlistId: z.string().uuid('Unknown watch-list.'),
  ...watchlistTerms,
});
export type UpdateWatchlistInput = z.infer<typeof updateWatchlistSchema>;

/** The fields of a watch-list that an edit may change, in the order the history shows them. */
export const WATCHLIST_TERM_FIELDS = ['purpose', 'authority', 'retentionDays', 'reviewDate', 'searchableBy'] as const;
export type WatchlistTermField = (typeof WATCHLIST_TERM_FIELDS)[number];

export const updateSubjectSchema = z.object({
  subjectId: z.string().uuid('Unknown subject.'),
  /** The same rule as at enrolment: a reference names a folder on the command line. */
  reference: subjectReferenceSchema,
  displayName: z.string().trim().min(1, 'Give the subject a name.').max(200, 'At most 200 characters.'),
});
export type UpdateSubjectInput = z.infer<typeof updateSubjectSchema>;

const erasureReason = z.string().trim().min(10, 'Record why (at least 10 characters).').max(1000);

export const eraseSubjectSchema = z.object({
  subjectId: z.string().uuid('Unknown subject.'),
  reason: erasureReason,
});

export const deleteWatchlistSchema = z.object({
  watchlistId: z.string().uuid('Unknown watch-list.'),
  reason: erasureReason,
  /** Typed by the administrator: deleting a whole list is never one click. */
  confirmName: z.string(),
});
