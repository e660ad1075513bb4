// ISO 8601 weeks (Monday to Sunday), counted in UTC so that a week means the same span of time on
// every server and in every export, whatever the clock's zone. Week 1 is the week with the year's
// first Thursday, so the last days of December can belong to week 1 of the next year and the first
// days of January to week 52 or 53 of the last.

const DAY_MS = 86_400_000;
export const WEEK_MS = 7 * DAY_MS;

/** Monday 00:00 UTC of the ISO week that contains `date`. */
export function startOfIsoWeek(date: Date): Date {
  const midnight = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  const daysSinceMonday = (date.getUTCDay() + 6) % 7;
  return new Date(midnight - daysSinceMonday * DAY_MS);
}

/** The ISO week of `date` written as `2025-W03`. */
export function isoWeekLabel(date: Date): string {
  const thursday = new Date(startOfIsoWeek(date).getTime() + 3 * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / WEEK_MS);
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** The start of each of the `count` ISO weeks that end with the one containing `now`, oldest first. */
export function lastIsoWeeks(now: Date, count: number): Date[] {
  const current = startOfIsoWeek(now).getTime();
  return Array.from({ length: count }, (_, index) => new Date(current - (count - 1 - index) * WEEK_MS));
}
