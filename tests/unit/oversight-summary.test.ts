import { describe, expect, it } from 'vitest';
import { isoWeekLabel, lastIsoWeeks, startOfIsoWeek } from '@/lib/shared/oversight/iso-week';
import { median, OVERSIGHT_OUTCOMES, oversightToCsv, oversightToJson, type OversightSummary, type OversightWeek } from '@/lib/shared/oversight/oversight-summary';

describe('ISO weeks (UTC)', () => {
  it('starts a week on Monday and names it by the year its Thursday falls in', () => {
    expect(startOfIsoWeek(new Date('2025-03-16T23:59:59Z')).toISOString()).toBe('2025-03-10T00:00:00.000Z'); // a Sunday
    expect(startOfIsoWeek(new Date('2025-03-10T00:00:00Z')).toISOString()).toBe('2025-03-10T00:00:00.000Z');
    expect(isoWeekLabel(new Date('2025-03-12T12:00:00Z'))).toBe('2025-W11');
    expect(isoWeekLabel(new Date('2024-12-30T08:00:00Z'))).toBe('2025-W01'); // late December in next year's week 1
    expect(isoWeekLabel(new Date('2021-01-03T08:00:00Z'))).toBe('2020-W53'); // early January in last year's week 53
    expect(isoWeekLabel(new Date('2024-12-23T00:00:00Z'))).toBe('2024-W52');
  });

  it('lists the window oldest first, ending with the current week', () => {
    const weeks = lastIsoWeeks(new Date('2025-03-12T12:00:00Z'), 12);
    expect(weeks).toHaveLength(12);
    expect(weeks.map(isoWeekLabel)[0]).toBe('2024-W52');
    expect(weeks.map(isoWeekLabel).at(-1)).toBe('2025-W11');
  });
});

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([])).toBeNull();
    expect(median([5])).toBe(5);
    expect(median([8, 1, 5])).toBe(5);
    expect(median([4, 1, 2, 10])).toBe(3);
  });
});

function week(overrides: Partial<OversightWeek> = {}): OversightWeek {
  return {
    week: '2025-W11',
    weekStart: '2025-03-10',
    searches: 0,
    outcomes: Object.fromEntries(OVERSIGHT_OUTCOMES.map((outcome) => [outcome, 0])) as OversightWeek['outcomes'],
    secondReviews: 0,
    disputes: 0,
    disagreementRate: null,
    qualityOverrides: 0,
    toFirstReview: { hours: null, count: 0 },
    toDisclosureRequest: { hours: null, count: 0 },
    toDisclosureDecision: { hours: null, count: 0 },
    ...overrides,
  };
}

describe('exports', () => {
  const summary: OversightSummary = {
    generatedAt: '2025-03-12T12:00:00.000Z',
    timeZone: 'UTC',
    scope: { kind: 'all' },
    weeks: [week({ searches: 2, secondReviews: 2, disputes: 1, disagreementRate: 0.5, toFirstReview: { hours: 3, count: 2 } })],
    totalSearches: 2,
  };

  it('writes one CSV row per week with empty cells where nothing was measured', () => {
    const lines = oversightToCsv(summary).split('\r\n');
    expect(lines[0]).toBe(
      'week,week_start,searches,outcome_confirmed,outcome_disputed,outcome_inconclusive,outcome_no_match,outcome_no_match_in_list,outcome_awaiting_review,outcome_failed,second_reviews,disputes,disagreement_rate,quality_overrides,median_hours_to_first_review,first_reviews,median_hours_to_disclosure_request,disclosure_requests,median_hours_to_disclosure_decision,disclosure_decisions',
    );
    expect(lines[1]).toBe('2025-W11,2025-03-10,2,0,0,0,0,0,0,0,2,1,0.5,0,3,2,,0,,0');
    expect(lines[2]).toBe('');
  });

  it('carries the definitions in the JSON export', () => {
    const parsed = JSON.parse(oversightToJson(summary));
    expect(parsed.weeks[0].disagreementRate).toBe(0.5);
    expect(parsed.definitions.outcomes.confirmed).toMatch(/second reviewer/);
    expect(parsed.definitions.metrics.disagreementRate).toMatch(/Disputes ÷ searches that had a second review/);
  });
});
