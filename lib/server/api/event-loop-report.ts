import 'server-only';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

/**
 * For `npm run bench -- api` only, and only when RFR_BENCH_EVENT_LOOP_FILE is set: the server writes
 * its event-loop delay (perf_hooks histogram, milliseconds) to that file once a second. Nothing is
 * served over HTTP, so no deployment exposes it. The bench starts a measurement by creating
 * `<file>.reset`, which clears the histogram.
 */
export function startEventLoopReport(path: string): void {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const write = () => {
    if (existsSync(`${path}.reset`)) {
      histogram.reset();
      rmSync(`${path}.reset`, { force: true });
    }
    const ms = (ns: number) => Math.round((ns / 1e6) * 100) / 100;
    const summary = {
      at: new Date().toISOString(),
      samples: histogram.count,
      meanMs: ms(histogram.mean || 0),
      p50Ms: ms(histogram.percentile(50) || 0),
      p99Ms: ms(histogram.percentile(99) || 0),
      maxMs: ms(histogram.max || 0),
    };
    writeFileSync(path, JSON.stringify(summary), { mode: 0o600 });
  };
  setInterval(write, 1_000).unref();
}
