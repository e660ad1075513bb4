import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { QdrantClient } from '@qdrant/js-client-rest';
import { exactSearch, MetricKind } from 'usearch';
import { EmbeddedVectorIndex } from '@/lib/server/vector/embedded-index';
import { QdrantVectorIndex } from '@/lib/server/vector/qdrant-index';
import { toCollectionName } from '@/lib/server/vector/validate-vector';
import type { VectorIndex, VectorPoint } from '@/lib/server/vector/vector-index';
import { parseCommandLine } from '../support/parse-args';

// `npm run bench -- search --n 100000 --dim 512 [--json]`: synthetic face-like galleries (several samples
// around each identity), the embedded index (and Qdrant when QDRANT_URL is set) against a plain float32
// loop on the same data in the same run. Numbers are for the reader, not asserted anywhere.

const USAGE = `usage: npm run bench -- search [--n 100000] [--dim 512] [--per-identity 5] [--queries 200]
       [--truth-queries 50] [--limit 50] [--seed 1] [--threads 1] [--dir DIR] [--json]`;

type Options = {
  n: number;
  dim: number;
  perIdentity: number;
  queries: number;
  truthQueries: number;
  limit: number;
  seed: number;
  threads: number;
  dir: string | undefined;
  json: boolean;
};

type EngineResult = {
  build_s: number;
  load_s: number | null;
  p50_ms: number;
  p99_ms: number;
  qps: number;
  recall_at_10: number;
  recall_at_50: number;
};

export async function run(argv: string[]): Promise<void> {
  const options = parseOptions(argv);
  const log = (line: string) => {
    if (!options.json) console.log(line);
    else console.error(line);
  };
  log(`search benchmark: n=${options.n} dim=${options.dim} per-identity=${options.perIdentity} queries=${options.queries} threads=${options.threads}`);
  log(`machine: ${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`);

  const started = performance.now();
  const { data, queries } = generateGallery(options);
  const generateSeconds = (performance.now() - started) / 1000;
  log(`generated ${options.n} gallery vectors and ${options.queries} probes in ${generateSeconds.toFixed(1)} s`);

  const ids = Array.from({ length: options.n }, () => randomUUID());
  const rowOf = new Map(ids.map((id, row) => [id, row]));

  // Ground truth and the naïve baseline are the same loop: float32 rows, JS dot products, a top-k list.
  const truthCount = Math.min(options.truthQueries, options.queries);
  const truth: number[][] = [];
  const baselineTimes: number[] = [];
  for (let q = 0; q < truthCount; q++) {
    const t0 = performance.now();
    truth.push(naiveTopK(data, queries[q]!, options.dim, options.limit));
    baselineTimes.push(performance.now() - t0);
  }
  const baseline = summarise(baselineTimes);
  log(`naïve float32 loop: p50 ${baseline.p50.toFixed(1)} ms, p99 ${baseline.p99.toFixed(1)} ms (${truthCount} queries)`);

  // usearch's own SIMD exact search over float32, the other candidate for the embedded engine.
  const usearchTimes: number[] = [];
  for (let q = 0; q < truthCount; q++) {
    const t0 = performance.now();
    exactSearch(data, queries[q]!, options.dim, Math.min(options.limit, options.n), MetricKind.Cos, options.threads);
    usearchTimes.push(performance.now() - t0);
  }
  const usearchF32 = summarise(usearchTimes);
  log(`usearch exactSearch float32: p50 ${usearchF32.p50.toFixed(1)} ms, p99 ${usearchF32.p99.toFixed(1)} ms`);

  const directory = options.dir ?? (await mkdtemp(join(tmpdir(), 'rfr-bench-search-')));
  const modelId = `bench-${options.dim}`;
  let embedded: EngineResult & { index_mb: number; rss_mb: number };
  try {
    embedded = await benchmarkEmbedded({ options, directory, modelId, data, queries, ids, rowOf, truth, log });
  } finally {
    if (!options.dir) await rm(directory, { recursive: true, force: true });
  }

  let qdrant: EngineResult | null = null;
  const qdrantUrl = process.env.QDRANT_URL;
  if (qdrantUrl) {
    qdrant = await benchmarkQdrant({ options, url: qdrantUrl, data, queries, ids, rowOf, truth, log });
  } else {
    log('Qdrant: skipped (QDRANT_URL not set)');
  }

  const result = {
    n: options.n,
    dim: options.dim,
    engine: 'embedded',
    method: 'int8 usearch scan + float32 re-score, certified exact',
    threads: options.threads,
    build_s: round(embedded.build_s, 2),
    load_s: embedded.load_s === null ? null : round(embedded.load_s, 2),
    rss_mb: Math.round(embedded.rss_mb),
    index_mb: Math.round(embedded.index_mb),
    p50_ms: round(embedded.p50_ms, 2),
    p99_ms: round(embedded.p99_ms, 2),
    qps: round(embedded.qps, 1),
    recall_at_10: embedded.recall_at_10,
    recall_at_50: embedded.recall_at_50,
    baseline_p50_ms: round(baseline.p50, 2),
    baseline_p99_ms: round(baseline.p99, 2),
    speedup_vs_baseline: round(baseline.p50 / embedded.p50_ms, 1),
    usearch_f32_exact_p50_ms: round(usearchF32.p50, 2),
    usearch_f32_exact_p99_ms: round(usearchF32.p99, 2),
    generate_s: round(generateSeconds, 1),
    qdrant: qdrant && {
      build_s: round(qdrant.build_s, 2),
      p50_ms: round(qdrant.p50_ms, 2),
      p99_ms: round(qdrant.p99_ms, 2),
      qps: round(qdrant.qps, 1),
      recall_at_10: qdrant.recall_at_10,
      recall_at_50: qdrant.recall_at_50,
    },
  };
  log(
    `embedded: build ${result.build_s} s, load ${result.load_s} s, rss ${result.rss_mb} MB (index ${result.index_mb} MB), ` +
      `p50 ${result.p50_ms} ms, p99 ${result.p99_ms} ms, ${result.qps} q/s, recall@10 ${result.recall_at_10}, recall@50 ${result.recall_at_50}, ` +
      `${result.speedup_vs_baseline}× the naïve loop`,
  );
  // The last line is machine-readable, whatever came before it.
  console.log(JSON.stringify(result));
}

async function benchmarkEmbedded(input: {
  options: Options;
  directory: string;
  modelId: string;
  data: Float32Array;
  queries: Float32Array[];
  ids: string[];
  rowOf: Map<string, number>;
  truth: number[][];
  log: (line: string) => void;
}): Promise<EngineResult & { index_mb: number; rss_mb: number }> {
  const { options, directory, modelId, data, queries, ids, rowOf, truth, log } = input;
  const buildStarted = performance.now();
  let index = new EmbeddedVectorIndex({ directory, threads: options.threads });
  await index.ensureCollection({ modelId, dimension: options.dim });
  await upsertAll(index, modelId, data, ids, options.dim, 10_000, (done) => log(`  embedded: ${done}/${options.n} stored`));
  // Closing is part of building: it folds the upsert log into the snapshot a restart will read.
  await index.close();
  const buildSeconds = (performance.now() - buildStarted) / 1000;

  const loadStarted = performance.now();
  index = new EmbeddedVectorIndex({ directory, threads: options.threads });
  const count = await index.count(modelId);
  const loadSeconds = (performance.now() - loadStarted) / 1000;
  if (count !== options.n) throw new Error(`reloaded index has ${count} vectors, expected ${options.n}`);
  log(`embedded: built (and persisted) in ${buildSeconds.toFixed(1)} s, reloaded in ${loadSeconds.toFixed(1)} s`);

  const timing = await timeQueries(index, modelId, queries, options.limit, rowOf, truth);
  const indexBytes = await index.memoryBytes(modelId);
  const rss = process.memoryUsage().rss;
  await index.close();
  return { build_s: buildSeconds, load_s: loadSeconds, index_mb: indexBytes / 2 ** 20, rss_mb: rss / 2 ** 20, ...timing };
}

async function benchmarkQdrant(input: {
  options: Options;
  url: string;
  data: Float32Array;
  queries: Float32Array[];
  ids: string[];
  rowOf: Map<string, number>;
  truth: number[][];
  log: (line: string) => void;
}): Promise<EngineResult> {
  const { options, url, data, queries, ids, rowOf, truth, log } = input;
  const modelId = `bench-${options.dim}-${Date.now()}`;
  const index = new QdrantVectorIndex({
    url,
    apiKey: process.env.QDRANT_API_KEY,
    shards: Number(process.env.QDRANT_SHARDS ?? 1),
    replicationFactor: Number(process.env.QDRANT_REPLICATION_FACTOR ?? 1),
  });
  try {
    const buildStarted = performance.now();
    await index.ensureCollection({ modelId, dimension: options.dim });
    await upsertAll(index, modelId, data, ids, options.dim, 1_000, (done) => log(`  qdrant: ${done}/${options.n} stored`));
    const buildSeconds = (performance.now() - buildStarted) / 1000;
    const timing = await timeQueries(index, modelId, queries, options.limit, rowOf, truth);
    log(`qdrant: p50 ${timing.p50_ms.toFixed(1)} ms, p99 ${timing.p99_ms.toFixed(1)} ms, recall@50 ${timing.recall_at_50}`);
    return { build_s: buildSeconds, load_s: null, ...timing };
  } finally {
    // The interface deliberately has no "drop collection"; the benchmark cleans up its own.
    await new QdrantClient({ url, apiKey: process.env.QDRANT_API_KEY, checkCompatibility: false })
      .deleteCollection(toCollectionName(modelId))
      .catch(() => undefined);
    await index.close();
  }
}

async function upsertAll(
  index: VectorIndex,
  modelId: string,
  data: Float32Array,
  ids: string[],
  dim: number,
  batchSize: number,
  progress: (done: number) => void,
): Promise<void> {
  const n = ids.length;
  let reported = 0;
  for (let start = 0; start < n; start += batchSize) {
    const points: VectorPoint[] = [];
    for (let row = start; row < Math.min(n, start + batchSize); row++) {
      points.push({
        id: ids[row]!,
        vector: data.subarray(row * dim, (row + 1) * dim),
        payload: { watchlistId: 'bench', subjectId: `subject-${row}`, enrolledFaceId: `face-${row}`, expiresAt: null },
      });
    }
    await index.upsert(modelId, points);
    const done = Math.min(n, start + batchSize);
    if (done - reported >= n / 5 || done === n) {
      progress(done);
      reported = done;
    }
  }
}

async function timeQueries(
  index: VectorIndex,
  modelId: string,
  queries: Float32Array[],
  limit: number,
  rowOf: Map<string, number>,
  truth: number[][],
): Promise<Omit<EngineResult, 'build_s' | 'load_s'>> {
  for (const query of queries.slice(0, 3)) await index.search(modelId, { vector: query, limit, watchlistIds: ['bench'] });
  const times: number[] = [];
  let recall10 = 0;
  let recall50 = 0;
  const wallStarted = performance.now();
  for (let q = 0; q < queries.length; q++) {
    const t0 = performance.now();
    const hits = await index.search(modelId, { vector: queries[q]!, limit, watchlistIds: ['bench'] });
    times.push(performance.now() - t0);
    const expected = truth[q];
    if (expected) {
      const rows = hits.map((hit) => rowOf.get(hit.id) ?? -1);
      recall10 += overlap(rows.slice(0, 10), expected.slice(0, 10)) / Math.min(10, expected.length);
      recall50 += overlap(rows.slice(0, 50), expected.slice(0, 50)) / Math.min(50, expected.length);
    }
  }
  const wallSeconds = (performance.now() - wallStarted) / 1000;
  const summary = summarise(times);
  const truthCount = Math.max(1, truth.length);
  return {
    p50_ms: summary.p50,
    p99_ms: summary.p99,
    qps: queries.length / wallSeconds,
    recall_at_10: round(recall10 / truthCount, 4),
    recall_at_50: round(recall50 / truthCount, 4),
  };
}

// ---------- data ----------

/**
 * Identity centres are random unit vectors; each sample is centre + isotropic noise, renormalised, with
 * the noise set so two samples of one identity have cosine ≈ 0.6 and strangers ≈ 0 (roughly what a
 * face model gives). Probes are fresh samples of gallery identities, not copies of gallery rows.
 */
export function generateGallery(options: Pick<Options, 'n' | 'dim' | 'perIdentity' | 'seed' | 'queries'>): { data: Float32Array; queries: Float32Array[] } {
  const { n, dim, perIdentity } = options;
  const { uniform, normal: random } = randomSource(options.seed);
  const identities = Math.ceil(n / perIdentity);
  const noise = 0.8 / Math.sqrt(dim);
  const centre = new Float64Array(dim);
  const data = new Float32Array(n * dim);
  for (let identity = 0; identity < identities; identity++) {
    randomUnit(centre, random);
    for (let sample = 0; sample < perIdentity; sample++) {
      const row = identity * perIdentity + sample;
      if (row >= n) break;
      writeSample(data, row * dim, centre, noise, random);
    }
  }
  const queries: Float32Array[] = [];
  for (let q = 0; q < options.queries; q++) {
    const identity = Math.floor(uniform() * identities) % identities;
    // Rebuild the identity's centre from its gallery samples' mean: same cluster, new sample.
    centre.fill(0);
    for (let sample = 0; sample < perIdentity; sample++) {
      const row = identity * perIdentity + sample;
      if (row >= n) break;
      for (let i = 0; i < dim; i++) centre[i]! += data[row * dim + i]!;
    }
    normaliseInPlace(centre);
    const query = new Float32Array(dim);
    writeSample(query, 0, centre, noise, random);
    queries.push(query);
  }
  return { data, queries };
}

function writeSample(target: Float32Array, offset: number, centre: Float64Array, noise: number, random: () => number): void {
  const dim = centre.length;
  let sumOfSquares = 0;
  for (let i = 0; i < dim; i++) {
    const value = centre[i]! + noise * random();
    target[offset + i] = value;
    sumOfSquares += value * value;
  }
  const norm = Math.sqrt(sumOfSquares);
  for (let i = 0; i < dim; i++) target[offset + i] = target[offset + i]! / norm;
}

function randomUnit(target: Float64Array, random: () => number): void {
  for (let i = 0; i < target.length; i++) target[i] = random();
  normaliseInPlace(target);
}

function normaliseInPlace(vector: Float64Array): void {
  let sumOfSquares = 0;
  for (const value of vector) sumOfSquares += value * value;
  const norm = Math.sqrt(sumOfSquares);
  for (let i = 0; i < vector.length; i++) vector[i] = vector[i]! / norm;
}

/** Seeded uniform and standard normal samples (xorshift32 and Box–Muller), so runs are repeatable. */
function randomSource(seed: number): { uniform: () => number; normal: () => number } {
  let state = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) >>> 0) || 1;
  const uniform = (): number => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return (state + 0.5) / 4294967296;
  };
  let spare: number | null = null;
  const normal = (): number => {
    if (spare !== null) {
      const value = spare;
      spare = null;
      return value;
    }
    const radius = Math.sqrt(-2 * Math.log(uniform()));
    const angle = 2 * Math.PI * uniform();
    spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };
  return { uniform, normal };
}

// ---------- baseline ----------

/** The naïve exact search: a float32 dot product per row and a sorted top-k list. */
function naiveTopK(data: Float32Array, query: Float32Array, dim: number, k: number): number[] {
  const n = data.length / dim;
  const scores: number[] = [];
  const rows: number[] = [];
  for (let row = 0; row < n; row++) {
    let score = 0;
    const offset = row * dim;
    for (let i = 0; i < dim; i++) score += data[offset + i]! * query[i]!;
    if (scores.length < k || score > scores[scores.length - 1]!) {
      let position = scores.length;
      while (position > 0 && scores[position - 1]! < score) position--;
      scores.splice(position, 0, score);
      rows.splice(position, 0, row);
      if (scores.length > k) {
        scores.pop();
        rows.pop();
      }
    }
  }
  return rows;
}

// ---------- helpers ----------

function overlap(a: number[], b: number[]): number {
  const set = new Set(b);
  return a.filter((value) => set.has(value)).length;
}

function summarise(times: number[]): { p50: number; p99: number } {
  const sorted = [...times].sort((x, y) => x - y);
  const at = (fraction: number) => sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
  return { p50: at(0.5), p99: at(0.99) };
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function parseOptions(argv: string[]): Options {
  const commandLine = parseCommandLine(argv, {
    name: 'bench search',
    usage: USAGE,
    options: {
      n: { type: 'string', default: '100000' },
      dim: { type: 'string', default: '512' },
      'per-identity': { type: 'string', default: '5' },
      queries: { type: 'string', default: '200' },
      'truth-queries': { type: 'string', default: '50' },
      limit: { type: 'string', default: '50' },
      seed: { type: 'string', default: '1' },
      threads: { type: 'string', default: '1' },
      dir: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const { values } = commandLine;
  const integer = (name: string, value: string, min: number): number => {
    const parsed = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(parsed) || parsed < min) commandLine.fail(`--${name} must be a whole number of at least ${min}, not ${JSON.stringify(value)}`);
    return parsed;
  };
  return {
    n: integer('n', values.n, 1),
    dim: integer('dim', values.dim, 2),
    perIdentity: integer('per-identity', values['per-identity'], 1),
    queries: integer('queries', values.queries, 1),
    truthQueries: integer('truth-queries', values['truth-queries'], 1),
    limit: integer('limit', values.limit, 1),
    seed: integer('seed', values.seed, 0),
    threads: integer('threads', values.threads, 1),
    dir: values.dir,
    json: values.json,
  };
}
