import { describe, expect, it } from 'vitest';
import { isPastReviewDate, reviewOverdueBefore } from '@/lib/server/retention/review-date';
import { cutoffFor } from '@/lib/server/retention/retention-policy';

describe('a watch-list past its review date', () => {
  // Review dates are stored as dates and read as midnight UTC.
  const watchlist = { reviewDate: new Date('2027-01-01T00:00:00Z') };

  it('is not overdue on the review date itself, whatever the hour', () => {
    expect(isPastReviewDate(watchlist, new Date('2026-12-31T23:59:59Z'))).toBe(false);
    expect(isPastReviewDate(watchlist, new Date('2027-01-01T00:00:00Z'))).toBe(false);
    expect(isPastReviewDate(watchlist, new Date('2027-01-01T23:59:59.999Z'))).toBe(false);
  });

  it('is overdue from the start of the next UTC day', () => {
    expect(isPastReviewDate(watchlist, new Date('2027-01-02T00:00:00Z'))).toBe(true);
    expect(isPastReviewDate(watchlist, new Date('2028-06-01T12:00:00Z'))).toBe(true);
  });

  it('gives the same answer as a query bound', () => {
    for (const now of ['2027-01-01T08:00:00Z', '2027-01-02T00:00:01Z']) {
      const instant = new Date(now);
      expect(watchlist.reviewDate < reviewOverdueBefore(instant)).toBe(isPastReviewDate(watchlist, instant));
    }
  });
});

describe('retention cut-offs', () => {
  it('count whole days back from now, and keep for ever when the period is null', () => {
    const now = new Date('2026-12-02T10:00:00Z');
    expect(cutoffFor(31, now)).toEqual(new Date('2026-11-01T10:00:00Z'));
    expect(cutoffFor(null, now)).toBeNull();
  });
});
