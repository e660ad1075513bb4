// The figures of the oversight dashboard, as plain data: what the page draws, what the CSV and JSON
// exports carry. Counts and durations only, never a case, a person or a face. Every figure of a week
// belongs to the searches run in that week (a cohort): a search run on Friday and reviewed on Monday
// counts in Friday's week, so the rates of a week always share one denominator. The latest weeks are
// therefore still filling in: their reviews and disclosures may not have happened yet.

export const OVERSIGHT_OUTCOMES = ['confirmed', 'disputed', 'inconclusive', 'no_match', 'no_match_in_list', 'awaiting_review', 'failed'] as const;
export type OversightOutcome = (typeof OVERSIGHT_OUTCOMES)[number];

export const OUTCOME_LABELS: Record<OversightOutcome, string> = {
  confirmed: 'Possible match confirmed',
  disputed: 'Reviewers disagreed',
  inconclusive: 'Inconclusive',
  no_match: 'No match',
  no_match_in_list: 'No match in this list',
  awaiting_review: 'Awaiting review',
  failed: 'Search failed',
};

/** Each search falls in exactly one outcome, decided by where its review stands and the decisions in force (corrections replace what they correct). */
export const OUTCOME_DEFINITIONS: Record<OversightOutcome, string> = {
  confirmed:
    'The first reviewer and a blind second reviewer each called at least one candidate a possible match and agreed on every candidate. Only these may go to a supervisor for disclosure.',
  disputed: 'The two reviewers decided differently on at least one candidate; the dispute went to the supervisor, whether still open or since resolved.',
  inconclusive: 'The first review found no possible match, and at least one candidate was left inconclusive.',
  no_match: 'The first review decided every candidate was no match.',
  no_match_in_list:
    'The first reviewer recorded that nobody in the candidate list resembles the probe, or the search returned no candidates at all.',
  awaiting_review: 'The first review, or the second review a possible match needs, is not yet committed.',
  failed: 'The search did not complete, so there was nothing to review.',
};

export type MetricKey = 'searches' | 'disagreementRate' | 'qualityOverrides' | 'toFirstReview' | 'toDisclosureRequest' | 'toDisclosureDecision';

export const METRIC_LABELS: Record<MetricKey, string> = {
  searches: 'Searches',
  disagreementRate: 'Reviewer disagreement rate',
  qualityOverrides: 'Quality-gate overrides',
  toFirstReview: 'Search to first-review decision',
  toDisclosureRequest: 'Search to disclosure request',
  toDisclosureDecision: 'Search to disclosure decision',
};

export const METRIC_DEFINITIONS: Record<MetricKey, string> = {
  searches: 'Searches run in the week, in cases of the teams in scope.',
  disagreementRate:
    'Disputes ÷ searches that had a second review: of the searches whose blind second review was committed, the share where the two reviewers disagreed on at least one candidate. Blank when no search of the week had a second review.',
  qualityOverrides:
    'Searches whose probe face was below the quality gate and was searched anyway, with the investigator’s recorded reason. A face searched twice counts twice.',
  toFirstReview: 'Median hours from running the search to committing its first review, over the searches whose first review is committed.',
  toDisclosureRequest: 'Median hours from running the search to its first disclosure request, over the searches with a request.',
  toDisclosureDecision: 'Median hours from running the search to the supervisor’s first decision on a disclosure request (approved or refused), over the searches with a decision.',
};

/** A median and how many values it was taken over; `hours` is null when there were none. */
export type MedianFigure = { hours: number | null; count: number };

export type OversightWeek = {
  /** ISO week, e.g. `2025-W03` */
  week: string;
  /** Monday of the week, `YYYY-MM-DD` (UTC) */
  weekStart: string;
  searches: number;
  outcomes: Record<OversightOutcome, number>;
  /** searches whose second review is committed */
  secondReviews: number;
  /** of those, the searches with a dispute */
  disputes: number;
  /** disputes ÷ secondReviews, or null when there were no second reviews */
  disagreementRate: number | null;
  qualityOverrides: number;
  toFirstReview: MedianFigure;
  toDisclosureRequest: MedianFigure;
  toDisclosureDecision: MedianFigure;
};

export type OversightScopeView = { kind: 'team'; teamId: string; teamName: string } | { kind: 'all' };

export type OversightSummary = {
  generatedAt: string /* ISO */;
  timeZone: 'UTC';
  scope: OversightScopeView;
  /** oldest first, one entry for every week of the window, empty weeks included */
  weeks: OversightWeek[];
  totalSearches: number;
};

export function describeScope(scope: OversightScopeView): string {
  return scope.kind === 'all' ? 'all teams' : `team ${scope.teamName}`;
}

/** The middle value (the mean of the two middle values for an even count), or null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const CSV_COLUMNS: [string, (week: OversightWeek) => string | number | null][] = [
  ['week', (w) => w.week],
  ['week_start', (w) => w.weekStart],
  ['searches', (w) => w.searches],
  ...OVERSIGHT_OUTCOMES.map((outcome): [string, (week: OversightWeek) => number] => [`outcome_${outcome}`, (w) => w.outcomes[outcome]]),
  ['second_reviews', (w) => w.secondReviews],
  ['disputes', (w) => w.disputes],
  ['disagreement_rate', (w) => w.disagreementRate],
  ['quality_overrides', (w) => w.qualityOverrides],
  ['median_hours_to_first_review', (w) => w.toFirstReview.hours],
  ['first_reviews', (w) => w.toFirstReview.count],
  ['median_hours_to_disclosure_request', (w) => w.toDisclosureRequest.hours],
  ['disclosure_requests', (w) => w.toDisclosureRequest.count],
  ['median_hours_to_disclosure_decision', (w) => w.toDisclosureDecision.hours],
  ['disclosure_decisions', (w) => w.toDisclosureDecision.count],
];

function csvCell(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One row per week, oldest first; an empty cell where a rate or median has nothing to be taken over. RFC 4180 (CRLF). */
export function oversightToCsv(summary: OversightSummary): string {
  const header = CSV_COLUMNS.map(([name]) => name).join(',');
  const rows = summary.weeks.map((week) => CSV_COLUMNS.map(([, read]) => csvCell(read(week))).join(','));
  return [header, ...rows].join('\r\n') + '\r\n';
}

/** The JSON export: the figures with the definitions they were counted by, so the file explains itself. */
export function oversightToJson(summary: OversightSummary): string {
  return JSON.stringify({ ...summary, definitions: { outcomes: OUTCOME_DEFINITIONS, metrics: METRIC_DEFINITIONS } }, null, 2);
}
