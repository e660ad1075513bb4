import { z } from 'zod';

export const createWatchlistSchema = z.object({
  name: z.string().trim().min(3, 'Name must be at least 3 characters.').max(120),
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
});
export type CreateWatchlistInput = z.infer<typeof createWatchlistSchema>;

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
