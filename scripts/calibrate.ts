// `npm run calibrate -- --embeddings FILE [--out lib/shared/calibration/<table>.json]`
//   [--dataset "words"]  FILE is written by `npm run eval -- identify … --save-embeddings FILE` (every gallery and probe embedding
//   with its subject). Or `npm run calibrate -- --images DIR` to embed a folder of <subject>/<image> first.
// Measures the impostor score distribution (every pair of embeddings of different subjects) and writes the
// score → FMR table that lib/shared/calibration reads, with the id `<model>/<date>` that searches record.
// Re-measuring after the embeddings changed: keep the table being replaced, renamed to
// `<name>.<its measuredAt>.json` with `supersededBy` set to the new id, and registered in
// false-match-rate.ts, so the searches it read still name it (a unit test fails on an unregistered table).
//
// `npm run calibrate -- --embeddings FILE --by-quality [--out-prefix lib/shared/calibration/faceplugin-fr-feature-512]`
//   FILE from `npm run eval -- identify --index scan … --save-embeddings FILE` on a degraded protocol (gallery
//   rows and probe rows, each probe with the quality verdict the pipeline gave it). One table per probe-quality
//   band (good, usable, poor): impostor comparisons are each probe of the band against every gallery image of
//   another person — exactly what a search of that probe compares — written to `<prefix>.<band>.json`.
//
// `npm run calibrate -- --embeddings FILE --fit-probe-adapter [--lambda 30] [--out-dir lib/server/search/probe-adapters]`
//   FILE from `npm run eval -- identify --index scan … --save-embeddings FILE` on a build-degraded protocol of
//   people the evaluation never sees (`--exclude`): each probe person's photograph in every condition. Fits
//   the probe adapter (lib/server/search/probe-adapter.ts): each degraded rendering → the same photograph's
//   clean embedding, each clean one → itself, ridge towards the identity. Writes `<id>.bin` and `<id>.json`;
//   a calibration table names it in `probeAdapterId` for searches to use it.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { loadFacePipeline } from '@/lib/server/vision/load-face-pipeline';
import { normaliseL2 } from '@/lib/vision/face-recognizer';
import type { CalibrationTable } from '@/lib/shared/calibration/false-match-rate';
import { fitRidgeTowardsIdentity, PROBE_ADAPTERS_DIR, probeAdapterFileName, type ProbeAdapterManifest } from '@/lib/server/search/probe-adapter';
import { embedImageFile } from './eval/embed-image-file';
import { parseCommandLine } from './support/parse-args';

type Row = { subject: string; embedding: Float32Array; modelId: string; role?: 'gallery' | 'probe'; qualityVerdict?: string | null; condition?: string | null };

async function readEmbeddingDump(file: string): Promise<Row[]> {
  const buf = await readFile(file);
  const rows: Row[] = [];
  let offset = 0;
  while (offset < buf.length) {
    const newline = buf.indexOf(10, offset);
    const header = JSON.parse(buf.subarray(offset, newline).toString('utf8')) as Omit<Row, 'embedding'> & { dimension: number };
    const start = newline + 1;
    const bytes = buf.subarray(start, start + header.dimension * 4);
    rows.push({ ...header, embedding: new Float32Array(new Uint8Array(bytes).buffer) });
    offset = start + header.dimension * 4;
  }
  return rows;
}

async function embedFolder(dir: string, perSubject: number): Promise<Row[]> {
  const pipeline = await loadFacePipeline();
  const rows: Row[] = [];
  const subjects = (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  for (const [i, subject] of subjects.entries()) {
    const files = (await readdir(join(dir, subject))).sort().slice(0, perSubject);
    for (const f of files) {
      const r = await embedImageFile(pipeline, join(dir, subject, f));
      if (r.embedding) rows.push({ subject, embedding: r.embedding, modelId: pipeline.recognizerId });
    }
    if ((i + 1) % 500 === 0) process.stderr.write(`subjects ${i + 1}/${subjects.length}\n`);
  }
  return rows;
}

const commandLine = parseCommandLine(process.argv.slice(2), {
  name: 'calibrate',
  usage: 'usage: npm run calibrate -- (--embeddings FILE [--by-quality [--out-prefix PREFIX] | --fit-probe-adapter [--lambda 30] [--out-dir DIR]] | --images DIR [--per-subject 4]) [--out FILE] [--dataset TEXT]',
  options: {
    embeddings: { type: 'string' },
    images: { type: 'string' },
    'per-subject': { type: 'string' },
    out: { type: 'string' },
    dataset: { type: 'string' },
    'by-quality': { type: 'boolean' },
    'out-prefix': { type: 'string' },
    'fit-probe-adapter': { type: 'boolean' },
    lambda: { type: 'string' },
    'out-dir': { type: 'string' },
  },
});
const flags = commandLine.values;
const dump = flags.embeddings;
const imagesDir = flags.images;
if (!dump === !imagesDir) commandLine.fail('give one of --embeddings FILE or --images DIR');
const perSubject = commandLine.integer('per-subject', { min: 1, fallback: 4 });
if (flags['fit-probe-adapter'] && !dump) commandLine.fail('--fit-probe-adapter needs --embeddings FILE');
const lambda = flags.lambda === undefined ? 30 : Number(flags.lambda);
if (!(lambda > 0) || !Number.isFinite(lambda)) commandLine.fail(`--lambda must be a positive number, not ${JSON.stringify(flags.lambda)}`);
const rows = dump ? await readEmbeddingDump(resolve(dump)) : await embedFolder(resolve(imagesDir!), perSubject);
const modelIds = new Set(rows.map((r) => r.modelId));
if (modelIds.size !== 1) throw new Error(`embeddings come from ${modelIds.size} models; calibrate one model at a time`);
const modelId = [...modelIds][0]!;

// Histogram on a fine grid: 42 M pairs do not fit in memory as floats, and a 1e-3 bin is far finer than
// any decision the table informs.
const bins = 2001; // scores −1 … 1 by 0.001

type Histogram = { impostor: Float64Array; genuine: Float64Array; impostorCount: number; genuineCount: number; maxImpostor: number };

function emptyHistogram(): Histogram {
  return { impostor: new Float64Array(bins), genuine: new Float64Array(bins), impostorCount: 0, genuineCount: 0, maxImpostor: -1 };
}

/** Every pair (i in `left`, j in `right`, i ≠ j; each unordered pair once when the two sets are the same). */
function compare(left: readonly Row[], right: readonly Row[], isSameSet: boolean, histogram: Histogram) {
  const dim = left[0]!.embedding.length;
  const flat = new Float32Array(right.length * dim);
  right.forEach((r, i) => flat.set(r.embedding, i * dim));
  const started = performance.now();
  for (let i = 0; i < left.length; i++) {
    const si = left[i]!.subject;
    const a = left[i]!.embedding;
    for (let j = isSameSet ? i + 1 : 0; j < right.length; j++) {
      let dot = 0;
      const bj = j * dim;
      for (let d = 0; d < dim; d++) dot += a[d]! * flat[bj + d]!;
      const bin = Math.min(bins - 1, Math.max(0, Math.round((dot + 1) * 1000)));
      if (right[j]!.subject === si) {
        histogram.genuine[bin]! += 1;
        histogram.genuineCount++;
      } else {
        histogram.impostor[bin]! += 1;
        histogram.impostorCount++;
        if (dot > histogram.maxImpostor) histogram.maxImpostor = dot;
      }
    }
    if ((i + 1) % 1000 === 0) process.stderr.write(`rows ${i + 1}/${left.length} (${Math.round((performance.now() - started) / 1000)} s)\n`);
  }
}

function toTable(histogram: Histogram, extra: { id?: string; probeQuality?: CalibrationTable['probeQuality']; dataset: string; notes: string }): CalibrationTable {
  const { impostor, genuine, impostorCount, genuineCount } = histogram;
  // Tail sums: FMR(s) = share of impostor scores in bins ≥ s.
  const tailImpostor = new Float64Array(bins + 1);
  const tailGenuine = new Float64Array(bins + 1);
  for (let b = bins - 1; b >= 0; b--) {
    tailImpostor[b] = tailImpostor[b + 1]! + impostor[b]!;
    tailGenuine[b] = tailGenuine[b + 1]! + genuine[b]!;
  }
  const points: CalibrationTable['points'] = [];
  for (let b = 0; b < bins; b += 10) {
    const score = b / 1000 - 1;
    if (score < -0.2) continue;
    const fmr = tailImpostor[b]! / impostorCount;
    points.push({ score: Math.round(score * 1000) / 1000, fmr, tar: genuineCount ? tailGenuine[b]! / genuineCount : undefined });
    if (fmr === 0) break; // the table stops where the impostor data runs out
  }
  const thresholds = [1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6].map((target) => {
    if (target < 1 / impostorCount) return { fmr: target, score: null };
    for (let b = 0; b < bins; b++) if (tailImpostor[b]! / impostorCount <= target) return { fmr: target, score: Math.round((b / 1000 - 1) * 1000) / 1000 };
    return { fmr: target, score: null };
  });
  return {
    ...(extra.id ? { id: extra.id } : {}),
    modelId,
    ...(extra.probeQuality ? { probeQuality: extra.probeQuality } : {}),
    dataset: extra.dataset,
    impostorComparisons: impostorCount,
    genuineComparisons: genuineCount,
    points,
    thresholds,
    measuredAt: new Date().toISOString().slice(0, 10),
    notes: `${extra.notes} Highest impostor score ${histogram.maxImpostor.toFixed(4)}; above it the table gives only an upper bound. Scores binned to 0.001.`,
  };
}

function report(table: CalibrationTable, out: string) {
  console.log(`${table.id ?? table.modelId}: ${table.impostorComparisons} impostor and ${table.genuineComparisons} genuine comparisons`);
  for (const t of table.thresholds) console.log(`  FMR ${t.fmr.toExponential(0)} → score ≥ ${t.score ?? 'beyond the data'}`);
  console.log(`  wrote ${out}`);
}

const dataset = flags.dataset ?? (dump ? `embeddings from ${dump.split('/').pop()}` : `folder ${imagesDir}`);
if (flags['fit-probe-adapter']) {
  // One photograph per probe person, rendered in every condition: its clean rendering is the target.
  const probes = rows.filter((r) => r.role === 'probe' && r.condition);
  const clean = new Map(probes.filter((r) => r.condition === 'clean').map((r) => [r.subject, normaliseL2(r.embedding)]));
  const pairs = probes.flatMap((r) => {
    const target = clean.get(r.subject);
    return target ? [{ input: r.condition === 'clean' ? target : normaliseL2(r.embedding), target }] : [];
  });
  if (clean.size === 0 || pairs.length <= clean.size) throw new Error(`${dump}: no clean and degraded renderings of the same people; run identify --index scan --save-embeddings on a build-degraded protocol`);
  const dimension = pairs[0]!.input.length;
  const started = performance.now();
  const { matrix, pairs: count } = fitRidgeTowardsIdentity(pairs, dimension, lambda);
  const measuredAt = new Date().toISOString().slice(0, 10);
  const id = `${modelId}/degraded-probes-${measuredAt}`;
  const bytes = Buffer.from(matrix.buffer, matrix.byteOffset, matrix.byteLength);
  const manifest: ProbeAdapterManifest = {
    id,
    modelId,
    dimension,
    lambda,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    trainedOn: `${dataset}: ${count - clean.size} degraded renderings → the clean rendering of the same photograph, and ${clean.size} clean → themselves (${clean.size} people; conditions ${[...new Set(probes.map((r) => r.condition))].sort().join(', ')})`,
    pairs: count,
    measuredAt,
  };
  const dir = resolve(flags['out-dir'] ?? PROBE_ADAPTERS_DIR);
  const base = join(dir, probeAdapterFileName(id));
  await writeFile(`${base}.bin`, bytes);
  await writeFile(`${base}.json`, `${JSON.stringify(manifest, null, 1)}\n`);
  let offIdentity = 0;
  for (let i = 0; i < dimension; i++) for (let j = 0; j < dimension; j++) offIdentity += (matrix[i * dimension + j]! - (i === j ? 1 : 0)) ** 2;
  console.log(`${id}: ${count} pairs, λ ${lambda}, ‖M − I‖ ${Math.sqrt(offIdentity).toFixed(3)}, ${Math.round(performance.now() - started)} ms`);
  console.log(`  wrote ${base}.bin and ${base}.json; name it in a calibration table's probeAdapterId to use it`);
} else if (flags['by-quality']) {
  const gallery = rows.filter((r) => r.role === 'gallery');
  const probes = rows.filter((r) => r.role === 'probe');
  if (gallery.length === 0 || probes.length === 0) throw new Error('--by-quality needs a dump with gallery and probe rows (npm run eval -- identify --index scan --save-embeddings)');
  const prefix = flags['out-prefix'] ?? 'lib/shared/calibration/faceplugin-fr-feature-512';
  for (const band of ['good', 'usable', 'poor'] as const) {
    const inBand = probes.filter((r) => r.qualityVerdict === band);
    if (inBand.length === 0) {
      console.log(`${band}: no probes in this band; no table written`);
      continue;
    }
    const histogram = emptyHistogram();
    compare(inBand, gallery, false, histogram);
    const conditions = [...new Set(inBand.map((r) => r.condition ?? 'unlabelled'))].sort();
    const table = toTable(histogram, {
      id: `${modelId}/${band}-probes`,
      probeQuality: band,
      dataset,
      notes:
        `Impostor comparisons are each of ${inBand.length} probe faces of ${band} quality (${new Set(inBand.map((r) => r.subject)).size} people; conditions: ${conditions.join(', ')}) ` +
        `against every gallery image of another person (${gallery.length} gallery images), as a search compares them. ` +
        `Each probe takes part in many comparisons, so rates near 1/${histogram.impostorCount} are optimistic.`,
    });
    const out = `${prefix}.${band}.json`;
    await writeFile(out, `${JSON.stringify(table, null, 1)}\n`);
    report(table, out);
  }
} else {
  const histogram = emptyHistogram();
  compare(rows, rows, true, histogram);
  const table = toTable(histogram, {
    id: `${modelId}/${new Date().toISOString().slice(0, 10)}`,
    dataset,
    notes:
      `Impostor comparisons are every pair of images of different subjects (${rows.length} images, ${new Set(rows.map((r) => r.subject)).size} subjects); ` +
      `they are not independent (each image takes part in many), so rates near 1/${histogram.impostorCount} are optimistic.`,
  });
  const out = flags.out ?? 'lib/shared/calibration/faceplugin-fr-feature-512.json';
  if (existsSync(out) && flags.out === undefined && !modelId.startsWith('faceplugin-fr-feature-512@')) {
    throw new Error(`refusing to overwrite ${out} with a table for ${modelId}; pass --out`);
  }
  await writeFile(out, `${JSON.stringify(table, null, 1)}\n`);
  report(table, out);
}
