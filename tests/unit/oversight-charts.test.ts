import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { OversightDashboard } from '@/components/oversight/oversight-dashboard';
import { WeeklyBarChart, WeeklyLineChart } from '@/components/oversight/weekly-charts';
import { OVERSIGHT_OUTCOMES, type OversightSummary, type OversightWeek } from '@/lib/shared/oversight/oversight-summary';

// The charts must be in the server's HTML: fixed-size nivo components render full SVG without a
// browser (the Responsive* ones would render an empty div until measured).

function week(label: string, overrides: Partial<OversightWeek> = {}): OversightWeek {
  return {
    week: label,
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

function summaryOf(weeks: OversightWeek[]): OversightSummary {
  return { generatedAt: '2025-03-12T12:00:00.000Z', timeZone: 'UTC', scope: { kind: 'team', teamId: 't', teamName: 'North' }, weeks, totalSearches: weeks.reduce((n, w) => n + w.searches, 0) };
}

describe('oversight charts on the server', () => {
  it('renders a stacked bar chart as an SVG named and described by the page', () => {
    const html = renderToStaticMarkup(
      createElement(WeeklyBarChart, {
        rows: [
          { week: '2025-W10', confirmed: 2, no_match: 1 },
          { week: '2025-W11', confirmed: 0, no_match: 3 },
        ],
        keys: ['confirmed', 'no_match'],
        colors: { confirmed: '#1f4e8c', no_match: '#4a5563' },
        yLegend: 'searches',
        titleId: 't1',
        descriptionId: 'd1',
      }),
    );
    expect(html).toMatch(/<svg[^>]*role="img"/);
    expect(html).toContain('aria-labelledby="t1"');
    expect(html).toContain('aria-describedby="d1"');
    expect(html).toContain('fill="rgba(31, 78, 140, 1)"'); // the colour given for "confirmed"
    expect(html.match(/data-testid="bar\.item\./g)).toHaveLength(4);
    expect(html).toContain('2025-W11');
  });

  it('renders a line chart with gaps for weeks without a value', () => {
    const html = renderToStaticMarkup(
      createElement(WeeklyLineChart, {
        series: [{ id: 'Rate', color: '#d55e00', data: [{ x: '2025-W09', y: 50 }, { x: '2025-W10', y: null }, { x: '2025-W11', y: 0 }] }],
        yLegend: '%',
        yMax: 100,
        titleId: 't2',
        descriptionId: 'd2',
      }),
    );
    expect(html).toMatch(/<svg[^>]*role="img"[^>]*aria-labelledby="t2"/);
    expect(html).toMatch(/<path[^>]*stroke="#d55e00"/);
  });

  it('draws four charts, each with its table, when there are searches', () => {
    const html = renderToStaticMarkup(
      createElement(OversightDashboard, {
        summary: summaryOf([
          week('2025-W10', { searches: 3, outcomes: { ...week('x').outcomes, confirmed: 1, no_match: 2 }, secondReviews: 1, disagreementRate: 0, toFirstReview: { hours: 5, count: 3 } }),
          week('2025-W11', { searches: 1, outcomes: { ...week('x').outcomes, awaiting_review: 1 }, qualityOverrides: 1 }),
        ]),
        exportPath: '/api/oversight/export',
      }),
    );
    expect(html.match(/<svg/g)).toHaveLength(4);
    expect(html.match(/<details>/g)).toHaveLength(4);
    for (const id of ['outcomes', 'disagreement', 'overrides', 'timings']) {
      expect(html).toContain(`id="${id}-title"`);
      expect(html).toContain(`aria-labelledby="${id}-title"`);
    }
    expect(html).toContain('team North');
    expect(html).toContain('href="/api/oversight/export?format=csv&amp;weeks=2"');
    expect(html).toContain('Possible match confirmed');
    expect(html).toContain('5.0 h');
  });

  it('shows an empty state and no chart when no search was run', () => {
    const html = renderToStaticMarkup(createElement(OversightDashboard, { summary: summaryOf([week('2025-W10'), week('2025-W11')]), exportPath: '/api/oversight/export' }));
    expect(html).toContain('data-testid="oversight-empty"');
    expect(html).not.toContain('<svg');
  });
});
