import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { EmbeddedVectorIndex } from '@/lib/server/vector/embedded-index';
import type { VectorHit, VectorPoint } from '@/lib/server/vector/vector-index';
import { parseCommandLine } from '../support/parse-args';
import { generateGallery } from './search';

// `npm run bench -- scan-pool [--n 100000] [--dim 512] [--workers 0,1,2] [--seconds 10] [--json]`
//
// Does the scan pool keep the event loop free? A small HTTP server in this process answers /ping while
// `--searches` search loops run against a synthetic gallery, once per pool size (0 = the scan in the
// server thread, as before the pool). A separate process (autocannon) sends the pings at a fixed rate, so
// its latencies are what a client of a busy server would see. Per mode: event-loop delay p99
// (perf_hooks.monitorEventLoopDelay), ping latency, and scan throughput with and without the pings.
// Each search loop yields to the event loop between searches, as searches that arrive as requests do.

const USAGE = `usage: npm run bench -- scan-pool [--n 100000] [--dim 512] [--workers 0,1,2] [--searches 2]
       [--seconds 10] [--ping-rate 200] [--limit 50] [--seed 1] [--json]`;

type Options = {
  n: number;
  dim: number;
  workers: number[];
  searches: number;
  seconds: number;
  pingRate: number;
  limit: number;
  seed: number;
  json: boolean;
};

type Phase = { searches_per_s: number; search_p50_ms: number; search_p99_ms: number; loop_delay_p99_ms: number; loop_delay_max_ms: number };
type PingStats = { p50_ms: number; p99_ms: number; max_ms: number; requests: number; errors: number; timeouts: number };

export async function run(argv: string[]): Promise<void> {
  const options = parseOptions(argv);
  const log = (line: string) => (options.json ? console.error(line) : console.log(line));
  log(`scan-pool benchmark: n=${options.n} dim=${options.dim} workers=${options.workers.join(',')} searches in flight=${options.searches} ${options.seconds} s per phase`);
  log(`machine: ${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, load average at start ${loadavg()[0]!.toFixed(1)}`);

  const { data, queries } = generateGallery({ n: options.n, dim: options.dim, perIdentity: 5, seed: options.seed, queries: 200 });
  const directory = await mkdtemp(join(tmpdir(), 'rfr-bench-scan-pool-'));
  const modelId = `bench-pool-${options.dim}`;
  const server = createServer((_request, response) => response.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ping`;

  try {
    const built = performance.now();
    const builder = new EmbeddedVectorIndex({ directory });
    await builder.ensureCollection({ modelId, dimension: options.dim });
    for (let start = 0; start < options.n; start += 5000) {
      const points: VectorPoint[] = [];
      for (let row = start; row < Math.min(options.n, start + 5000); row++) {
        points.push({
          id: randomUUID(),
          vector: data.subarray(row * options.dim, (row + 1) * options.dim),
          payload: { watchlistId: 'bench', subjectId: randomUUID(), enrolledFaceId: randomUUID(), expiresAt: null },
        });
      }
      await builder.upsert(modelId, points);
    }
    await builder.close(); // folds the log into a snapshot that every mode below reopens
    log(`gallery built in ${((performance.now() - built) / 1000).toFixed(1)} s`);

    const idle = await pingPhase(url, options, async () => undefined);
    log(`pings, no searches: p50 ${idle.ping.p50_ms} ms, p99 ${idle.ping.p99_ms} ms, max ${idle.ping.max_ms} ms; loop delay p99 ${idle.loop.loop_delay_p99_ms} ms`);

    let reference: VectorHit[][] | null = null;
    const modes = [];
    for (const workers of options.workers) {
      const index = new EmbeddedVectorIndex({ directory, scanWorkers: workers });
      try {
        const ask = (q: number) => index.search(modelId, { vector: queries[q % queries.length]!, limit: options.limit, watchlistIds: ['bench'] });
        // Warm-up, and the results every mode must reproduce exactly.
        const results: VectorHit[][] = [];
        for (let q = 0; q < 20; q++) results.push(await ask(q));
        reference ??= results;
        const identical = results.every((hits, q) => JSON.stringify(hits) === JSON.stringify(reference![q]));

        const alone = await searchPhase(ask, options, options.seconds * 1000);
        const loaded = await pingPhase(url, options, (until) => searchPhase(ask, options, until));
        const mode = {
          workers,
          scan: workers === 0 ? 'in the server thread' : `pool of ${workers} worker thread(s)`,
          identical_to_in_thread: identical,
          alone,
          with_pings: { ...loaded.searches!, ping: loaded.ping, loop_delay_p99_ms: loaded.loop.loop_delay_p99_ms, loop_delay_max_ms: loaded.loop.loop_delay_max_ms },
        };
        modes.push(mode);
        log(
          `workers=${workers}: searches alone ${alone.searches_per_s}/s (p50 ${alone.search_p50_ms} ms, p99 ${alone.search_p99_ms} ms, loop delay p99 ${alone.loop_delay_p99_ms} ms); ` +
            `with pings ${mode.with_pings.searches_per_s}/s, loop delay p99 ${mode.with_pings.loop_delay_p99_ms} ms, ` +
            `ping p50 ${loaded.ping.p50_ms} ms p99 ${loaded.ping.p99_ms} ms max ${loaded.ping.max_ms} ms; identical results: ${identical}`,
        );
      } finally {
        await index.close();
      }
    }
    console.log(
      JSON.stringify({
        n: options.n,
        dim: options.dim,
        limit: options.limit,
        searches_in_flight: options.searches,
        ping_rate: options.pingRate,
        seconds: options.seconds,
        cores: cpus().length,
        load_average_end: round(loadavg()[0]!, 1),
        idle_ping: idle.ping,
        idle_loop_delay_p99_ms: idle.loop.loop_delay_p99_ms,
        modes,
      }),
    );
  } finally {
    server.close();
    await rm(directory, { recursive: true, force: true });
  }
}

/** `loops` search loops, back to back, until the deadline (a time, or a promise for one). */
async function searchPhase(ask: (q: number) => Promise<unknown>, options: Options, until: number | Promise<void>): Promise<Phase> {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const times: number[] = [];
  let stop = false;
  const started = performance.now();
  const deadline = typeof until === 'number' ? started + until : Number.POSITIVE_INFINITY;
  if (typeof until !== 'number') void until.then(() => (stop = true));
  let next = 0;
  await Promise.all(
    Array.from({ length: options.searches }, async () => {
      while (!stop && performance.now() < deadline) {
        const t0 = performance.now();
        await ask(next++);
        times.push(performance.now() - t0);
        // A search that arrives as a request leaves the loop between requests.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }),
  );
  delay.disable();
  const elapsed = (performance.now() - started) / 1000;
  const sorted = times.sort((a, b) => a - b);
  return {
    searches_per_s: round(times.length / elapsed, 1),
    search_p50_ms: round(percentile(sorted, 0.5), 1),
    search_p99_ms: round(percentile(sorted, 0.99), 1),
    loop_delay_p99_ms: round(delay.percentile(99) / 1e6, 1),
    loop_delay_max_ms: round(delay.max / 1e6, 1),
  };
}

/** Pings from another process at a fixed rate while `work` runs (it is handed the pings' end). */
async function pingPhase(
  url: string,
  options: Options,
  work: (until: Promise<void>) => Promise<Phase | undefined>,
): Promise<{ ping: PingStats; loop: Pick<Phase, 'loop_delay_p99_ms' | 'loop_delay_max_ms'>; searches: Phase | undefined }> {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const child = spawn(process.execPath, [join(process.cwd(), 'node_modules', 'autocannon', 'autocannon.js'), '-c', '4', '-R', String(options.pingRate), '-d', String(options.seconds), '-j', url], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const finished = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', () => resolve());
  });
  const searches = await work(finished);
  await finished;
  delay.disable();
  const report = JSON.parse(output) as { latency: { p50: number; p99: number; max: number }; requests: { total: number }; errors: number; timeouts: number };
  return {
    ping: { p50_ms: report.latency.p50, p99_ms: report.latency.p99, max_ms: report.latency.max, requests: report.requests.total, errors: report.errors, timeouts: report.timeouts },
    loop: { loop_delay_p99_ms: round(delay.percentile(99) / 1e6, 1), loop_delay_max_ms: round(delay.max / 1e6, 1) },
    searches,
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function parseOptions(argv: string[]): Options {
  const commandLine = parseCommandLine(argv, {
    name: 'bench scan-pool',
    usage: USAGE,
    options: {
      n: { type: 'string' },
      dim: { type: 'string' },
      workers: { type: 'string', default: '0,1,2' },
      searches: { type: 'string' },
      seconds: { type: 'string' },
      'ping-rate': { type: 'string' },
      limit: { type: 'string' },
      seed: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const workers = commandLine.values.workers.split(',').map((text) => (/^\d+$/.test(text.trim()) ? Number(text) : Number.NaN));
  if (workers.some((value) => !Number.isSafeInteger(value))) commandLine.fail(`--workers lists pool sizes (0 or more), such as 0,1,2, not ${JSON.stringify(commandLine.values.workers)}`);
  return {
    n: commandLine.integer('n', { min: 1, fallback: 100_000 }),
    dim: commandLine.integer('dim', { min: 1, fallback: 512 }),
    workers,
    searches: commandLine.integer('searches', { min: 1, fallback: 2 }),
    seconds: commandLine.integer('seconds', { min: 1, fallback: 10 }),
    pingRate: commandLine.integer('ping-rate', { min: 1, fallback: 200 }),
    limit: commandLine.integer('limit', { min: 1, fallback: 50 }),
    seed: commandLine.integer('seed', { min: 1, fallback: 1 }),
    json: commandLine.values.json,
  };
}
