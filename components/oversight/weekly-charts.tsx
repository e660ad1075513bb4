'use client';

import { Bar, type BarDatum } from '@nivo/bar';
import { Line } from '@nivo/line';

// Fixed-size nivo charts. A client component because nivo uses hooks and context, which the React
// Server Components runtime does not have; Next still renders it to full SVG on the server, so the
// chart is in the page's HTML with no script. The Responsive* variants are avoided on purpose: they
// measure their container in the browser and render nothing on the server. Not interactive and not
// animated: the numbers are in the table beside each chart, and nothing moves.

const WIDTH = 720;
const HEIGHT = 280;
const MARGIN = { top: 24, right: 24, bottom: 64, left: 64 };

const THEME = {
  text: { fontSize: 12, fill: '#1b1f24' },
  axis: {
    domain: { line: { stroke: '#aeb6c1', strokeWidth: 1 } },
    ticks: { line: { stroke: '#aeb6c1' }, text: { fill: '#5b6470' } },
    legend: { text: { fontSize: 12, fill: '#5b6470' } },
  },
  grid: { line: { stroke: '#e3e7ec' } },
};

/** Whole-number ticks from zero up to at least `max`, about six of them. */
function countTicks(max: number): number[] {
  const step = Math.max(1, Math.ceil(max / 6));
  const top = Math.max(step, Math.ceil(max / step) * step);
  return Array.from({ length: top / step + 1 }, (_, index) => index * step);
}

type Labelling = {
  /** id of the element that names the chart (its caption) */
  titleId: string;
  /** id of the element that says what it shows */
  descriptionId: string;
};

export type BarRow = { week: string } & Record<string, number | string>;

export function WeeklyBarChart({
  rows,
  keys,
  colors,
  yLegend,
  titleId,
  descriptionId,
}: Labelling & { rows: BarRow[]; keys: string[]; colors: Record<string, string>; yLegend: string }) {
  const max = Math.max(0, ...rows.map((row) => keys.reduce((sum, key) => sum + Number(row[key] ?? 0), 0)));
  const ticks = countTicks(max);
  return (
    <Bar<BarDatum>
      width={WIDTH}
      height={HEIGHT}
      margin={MARGIN}
      data={rows}
      keys={keys}
      indexBy="week"
      groupMode="stacked"
      padding={0.3}
      valueScale={{ type: 'linear', min: 0, max: ticks.at(-1)! }}
      colors={({ id }) => colors[String(id)] ?? '#5b6470'}
      borderColor="#ffffff"
      borderWidth={1}
      enableLabel={false}
      enableTotals={keys.length > 1}
      gridYValues={ticks}
      axisLeft={{ tickValues: ticks, legend: yLegend, legendPosition: 'middle', legendOffset: -48 }}
      axisBottom={{ tickRotation: -35, tickSize: 4 }}
      theme={THEME}
      animate={false}
      isInteractive={false}
      role="img"
      ariaLabelledBy={titleId}
      ariaDescribedBy={descriptionId}
    />
  );
}

export type LineSeriesInput = { id: string; color: string; data: { x: string; y: number | null }[] };

export function WeeklyLineChart({
  series,
  yLegend,
  yMax,
  titleId,
  descriptionId,
}: Labelling & { series: LineSeriesInput[]; yLegend: string; /** fixed top of the scale (e.g. 100 for a percentage); automatic when absent */ yMax?: number }) {
  return (
    <Line
      width={WIDTH}
      height={HEIGHT}
      margin={MARGIN}
      data={series}
      xScale={{ type: 'point' }}
      yScale={{ type: 'linear', min: 0, max: yMax ?? 'auto' }}
      colors={{ datum: 'color' }}
      lineWidth={2}
      pointSize={8}
      pointBorderWidth={2}
      pointBorderColor="#ffffff"
      enableGridX={false}
      axisLeft={{ legend: yLegend, legendPosition: 'middle', legendOffset: -48, tickValues: 6 }}
      axisBottom={{ tickRotation: -35, tickSize: 4 }}
      theme={THEME}
      animate={false}
      isInteractive={false}
      useMesh={false}
      role="img"
      ariaLabelledBy={titleId}
      ariaDescribedBy={descriptionId}
    />
  );
}
