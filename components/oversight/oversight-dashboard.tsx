import type { ReactNode } from 'react';
import {
  describeScope,
  METRIC_DEFINITIONS,
  METRIC_LABELS,
  OUTCOME_DEFINITIONS,
  OUTCOME_LABELS,
  OVERSIGHT_OUTCOMES,
  type MedianFigure,
  type OversightOutcome,
  type OversightSummary,
} from '@/lib/shared/oversight/oversight-summary';
import { WeeklyBarChart, WeeklyLineChart, type BarRow, type LineSeriesInput } from './weekly-charts';

// The oversight dashboard: four charts of the same weekly figures, each with what it counts spelled
// out and the table of numbers behind it, and the figures to download. A server component: it only
// arranges plain data; the charts render to SVG on the server.

// Colour-blind-safe hues; never the only cue, since every chart has its table and its legend names
// each series. Decisions keep the review bench's neutral colours (no green for "cleared").
const OUTCOME_COLOURS: Record<OversightOutcome, string> = {
  confirmed: '#1f4e8c',
  disputed: '#d55e00',
  inconclusive: '#e69f00',
  no_match: '#4a5563',
  no_match_in_list: '#8c9bb0',
  awaiting_review: '#d9dde3',
  failed: '#a4262c',
};

const TIMING_SERIES = [
  { key: 'toFirstReview', color: '#1f4e8c' },
  { key: 'toDisclosureRequest', color: '#d55e00' },
  { key: 'toDisclosureDecision', color: '#009e73' },
] as const;

function formatHours(figure: MedianFigure): string {
  if (figure.hours === null) return '—';
  // Hours throughout, as on the chart's axis and in the downloads; long waits also in days.
  return figure.hours < 48 ? `${figure.hours.toFixed(1)} h` : `${figure.hours.toFixed(1)} h (${(figure.hours / 24).toFixed(1)} days)`;
}

function formatRate(rate: number | null): string {
  return rate === null ? '—' : `${(rate * 100).toFixed(0)}%`;
}

function Swatch({ colour }: { colour: string }) {
  return <span aria-hidden="true" style={{ display: 'inline-block', width: '0.8rem', height: '0.8rem', marginRight: '0.4rem', verticalAlign: 'middle', background: colour, border: '1px solid #aeb6c1', borderRadius: 2 }} />;
}

function ChartSection({ id, title, description, chart, legend, table }: { id: string; title: string; description: ReactNode; chart: ReactNode; legend?: ReactNode; table: ReactNode }) {
  return (
    <section className="panel" aria-labelledby={`${id}-title`} data-testid={`oversight-${id}`}>
      <figure style={{ margin: 0 }}>
        <figcaption>
          <h2 id={`${id}-title`} style={{ marginTop: 0 }}>
            {title}
          </h2>
          <div id={`${id}-description`} className="muted">
            {description}
          </div>
        </figcaption>
        <div style={{ overflowX: 'auto', margin: '0.75rem 0' }}>{chart}</div>
      </figure>
      {legend}
      <details>
        <summary>The numbers behind this chart</summary>
        <div style={{ overflowX: 'auto', marginTop: '0.5rem' }}>{table}</div>
      </details>
    </section>
  );
}

function SeriesLegend({ items }: { items: { colour: string; label: string; definition: string }[] }) {
  return (
    <dl style={{ display: 'grid', gridTemplateColumns: 'minmax(10rem, auto) 1fr', gap: '0.3rem 1rem', margin: '0 0 0.75rem', fontSize: '0.88rem' }}>
      {items.map((item) => (
        <div key={item.label} style={{ display: 'contents' }}>
          <dt style={{ fontWeight: 600 }}>
            <Swatch colour={item.colour} />
            {item.label}
          </dt>
          <dd style={{ margin: 0 }} className="muted">
            {item.definition}
          </dd>
        </div>
      ))}
    </dl>
  );
}

export function OversightDashboard({ summary, exportPath }: { summary: OversightSummary; exportPath: string }) {
  const { weeks } = summary;
  const scope = describeScope(summary.scope);
  const span = `${weeks[0]!.week} to ${weeks.at(-1)!.week}`;
  const download = (format: 'csv' | 'json') => `${exportPath}?format=${format}&weeks=${weeks.length}`;
  const weekCell = (week: (typeof weeks)[number]) => (
    <th scope="row" style={{ textTransform: 'none', letterSpacing: 0, whiteSpace: 'nowrap' }}>
      {week.week} <span className="muted">({week.weekStart})</span>
    </th>
  );

  const outcomeRows: BarRow[] = weeks.map((week) => ({ week: week.week, ...week.outcomes }));
  const overrideRows: BarRow[] = weeks.map((week) => ({ week: week.week, qualityOverrides: week.qualityOverrides }));
  const disagreement: LineSeriesInput[] = [
    { id: METRIC_LABELS.disagreementRate, color: '#d55e00', data: weeks.map((week) => ({ x: week.week, y: week.disagreementRate === null ? null : Math.round(week.disagreementRate * 1000) / 10 })) },
  ];
  const timings: LineSeriesInput[] = TIMING_SERIES.map(({ key, color }) => ({ id: METRIC_LABELS[key], color, data: weeks.map((week) => ({ x: week.week, y: week[key].hours })) }));

  return (
    <>
      <h1>Oversight</h1>
      <p className="muted">
        How facial-recognition searches are used and reviewed in {scope}, per ISO week (Monday to Sunday, UTC), {span}. Every figure of a week is about the
        searches run in that week, so the latest weeks fill in as their reviews and disclosures follow. Counts and durations only: no case, person or face is shown.
      </p>
      <p className="row">
        <a className="button secondary" href={download('csv')} download>
          Download CSV
        </a>
        <a className="button secondary" href={download('json')} download>
          Download JSON
        </a>
        <span className="muted">Downloads are recorded in the audit log.</span>
      </p>
      {summary.totalSearches === 0 ? (
        <p className="empty" data-testid="oversight-empty">
          No searches were run in {scope} from {span}: there is nothing to chart yet.
        </p>
      ) : (
        <>
          <ChartSection
            id="outcomes"
            title="Searches and their outcomes per week"
            description={<p style={{ margin: 0 }}>Each bar is the week’s searches (the number above it), divided by where each search’s review ended. Every search is in exactly one outcome.</p>}
            chart={<WeeklyBarChart rows={outcomeRows} keys={[...OVERSIGHT_OUTCOMES]} colors={OUTCOME_COLOURS} yLegend="searches" titleId="outcomes-title" descriptionId="outcomes-description" />}
            legend={<SeriesLegend items={OVERSIGHT_OUTCOMES.map((outcome) => ({ colour: OUTCOME_COLOURS[outcome], label: OUTCOME_LABELS[outcome], definition: OUTCOME_DEFINITIONS[outcome] }))} />}
            table={
              <table>
                <thead>
                  <tr>
                    <th scope="col">Week</th>
                    <th scope="col">Searches</th>
                    {OVERSIGHT_OUTCOMES.map((outcome) => (
                      <th scope="col" key={outcome}>
                        {OUTCOME_LABELS[outcome]}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {weeks.map((week) => (
                    <tr key={week.week}>
                      {weekCell(week)}
                      <td>{week.searches}</td>
                      {OVERSIGHT_OUTCOMES.map((outcome) => (
                        <td key={outcome}>{week.outcomes[outcome]}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            }
          />
          <ChartSection
            id="disagreement"
            title="Reviewer disagreement rate"
            description={<p style={{ margin: 0 }}>{METRIC_DEFINITIONS.disagreementRate} In per cent; a gap is a week with no second review.</p>}
            chart={<WeeklyLineChart series={disagreement} yMax={100} yLegend="% of second reviews disputed" titleId="disagreement-title" descriptionId="disagreement-description" />}
            table={
              <table>
                <thead>
                  <tr>
                    <th scope="col">Week</th>
                    <th scope="col">Searches with a second review</th>
                    <th scope="col">Disputes</th>
                    <th scope="col">Disagreement rate</th>
                  </tr>
                </thead>
                <tbody>
                  {weeks.map((week) => (
                    <tr key={week.week}>
                      {weekCell(week)}
                      <td>{week.secondReviews}</td>
                      <td>{week.disputes}</td>
                      <td>{formatRate(week.disagreementRate)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            }
          />
          <ChartSection
            id="overrides"
            title="Quality-gate overrides"
            description={<p style={{ margin: 0 }}>{METRIC_DEFINITIONS.qualityOverrides}</p>}
            chart={<WeeklyBarChart rows={overrideRows} keys={['qualityOverrides']} colors={{ qualityOverrides: '#8a5a00' }} yLegend="searches overriding the gate" titleId="overrides-title" descriptionId="overrides-description" />}
            table={
              <table>
                <thead>
                  <tr>
                    <th scope="col">Week</th>
                    <th scope="col">Searches</th>
                    <th scope="col">Quality-gate overrides</th>
                    <th scope="col">Share of searches</th>
                  </tr>
                </thead>
                <tbody>
                  {weeks.map((week) => (
                    <tr key={week.week}>
                      {weekCell(week)}
                      <td>{week.searches}</td>
                      <td>{week.qualityOverrides}</td>
                      <td>{formatRate(week.searches === 0 ? null : week.qualityOverrides / week.searches)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            }
          />
          <ChartSection
            id="timings"
            title="Median time from search to decision"
            description={<p style={{ margin: 0 }}>Median hours from running a search to each step, for the searches of the week that reached it. A gap is a week where none did.</p>}
            chart={<WeeklyLineChart series={timings} yLegend="median hours" titleId="timings-title" descriptionId="timings-description" />}
            legend={<SeriesLegend items={TIMING_SERIES.map(({ key, color }) => ({ colour: color, label: METRIC_LABELS[key], definition: METRIC_DEFINITIONS[key] }))} />}
            table={
              <table>
                <thead>
                  <tr>
                    <th scope="col">Week</th>
                    {TIMING_SERIES.map(({ key }) => (
                      <th scope="col" key={key}>
                        {METRIC_LABELS[key]} (searches)
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {weeks.map((week) => (
                    <tr key={week.week}>
                      {weekCell(week)}
                      {TIMING_SERIES.map(({ key }) => (
                        <td key={key}>
                          {formatHours(week[key])} <span className="muted">({week[key].count})</span>
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            }
          />
        </>
      )}
    </>
  );
}
