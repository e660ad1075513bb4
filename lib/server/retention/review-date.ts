import 'server-only';

/**
 * A watch-list's review date is a calendar day (stored as a date, read as midnight UTC): the list
 * must be reviewed on or before it, so it is past its review date from the start of the next UTC day.
 */
export function isPastReviewDate(watchlist: { reviewDate: Date }, now: Date = new Date()): boolean {
  return watchlist.reviewDate.getTime() < startOfUtcDay(now).getTime();
}

/**
 * The same rule as a bound for a query: a list is overdue when `reviewDate < reviewOverdueBefore(now)`
 * (e.g. `where: { deletedAt: null, reviewDate: { lt: reviewOverdueBefore(now) } }`).
 */
export function reviewOverdueBefore(now: Date = new Date()): Date {
  return startOfUtcDay(now);
}

function startOfUtcDay(instant: Date): Date {
  return new Date(Date.UTC(instant.getUTCFullYear(), instant.getUTCMonth(), instant.getUTCDate()));
}
