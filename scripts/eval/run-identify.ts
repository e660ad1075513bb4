import { createWriteStream, existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { loadFacePipeline } from '@/lib/server/vision/load-face-pipeline';
import { MAX_LIST_SIZE } from '@/lib/shared/schemas/search';
import { defaultEmbedImageOptions, embedImageFile, type ImageEmbedding } from './embed-image-file';
import { createSubjectSearch, type SubjectCandidate, type SubjectSearch } from './exact-subject-search';
import { openAppIdentification, type AppIdentification } from './app-identification';
import { type ProbeOutcome, summariseIdentification } from './identification-metrics';
import { parseCommandLine } from '../support/parse-args';
import { readLabelledCsv } from '../support/read-csv';

// `npm run eval -- identify --gallery G.csv --probes P.csv --top 50 --out results.jsonl [--json] [--threads N]
//   [--index embedded|scan] [--save-embeddings FILE]`
//
// `--index embedded` (the default) runs the app: enrolment service, probe and search server actions,
// embedded vector index. `--index scan` is a dependency-free exact scan to check the app against.

function resolveImagePath(path: string, csvFile: string): string {
  if (isAbsolute(path)) return path;
  const fromCwd = resolve(path);
  if (existsSync(fromCwd)) return fromCwd;
  return resolve(dirname(csvFile), path);
}

function progress(label: string, done: number, total: number) {
  if (process.stderr.isTTY || done === total || done % 500 === 0) process.stderr.write(`\r${label} ${done}/${total}${done === total ? '\n' : ''}`);
}

export const IDENTIFY_USAGE =
  'usage: npm run eval -- identify --gallery G.csv --probes P.csv --out results.jsonl [--top 50] [--json] [--threads 1] [--index embedded|scan] [--save-embeddings FILE]';

export async function runIdentify(argv: readonly string[]): Promise<void> {
  const commandLine = parseCommandLine(argv, {
    name: 'eval identify',
    usage: IDENTIFY_USAGE,
    options: {
      gallery: { type: 'string' },
      probes: { type: 'string' },
      out: { type: 'string' },
      top: { type: 'string' },
      threads: { type: 'string' },
      index: { type: 'string' },
      'save-embeddings': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const flags = commandLine.values;
  const galleryCsv = commandLine.required('gallery');
  const probesCsv = commandLine.required('probes');
  const outFile = commandLine.required('out');
  const top = commandLine.integer('top', { min: 1, fallback: 50 });
  const threads = commandLine.integer('threads', { min: 1, fallback: 1 });
  const indexKind = flags.index ?? 'embedded';
  if (indexKind !== 'embedded' && indexKind !== 'scan') commandLine.fail('--index must be embedded or scan');
  if (indexKind === 'embedded' && top > MAX_LIST_SIZE) commandLine.fail(`--top: the app lists at most ${MAX_LIST_SIZE} candidates`);
  const pipeline = await loadFacePipeline({ intraOpThreads: threads });
  const gallery = await readLabelledCsv(galleryCsv);
  const probes = await readLabelledCsv(probesCsv);

  const app: AppIdentification | null = indexKind === 'embedded' ? await openAppIdentification(pipeline) : null;
  const scan: SubjectSearch | null = app ? null : createSubjectSearch(pipeline.embeddingDimension);
  // Optional dump of every embedding (binary: per row a JSON header line, then 512 float32) so calibration
  // can reuse an evaluation's embeddings instead of recomputing them.
  const saveFile = flags['save-embeddings'];
  const saved = saveFile ? createWriteStream(saveFile) : null;
  const save = async (row: { path: string; subject: string }, embedding: Float32Array | null) => {
    if (!saved || !embedding) return;
    saved.write(`${JSON.stringify({ path: row.path, subject: row.subject, dimension: embedding.length, modelId: pipeline.recognizerId })}\n`);
    if (!saved.write(Buffer.from(embedding.buffer, embedding.byteOffset, embedding.byteLength))) await new Promise<void>((r) => saved.once('drain', () => r()));
  };
  let totalMs = 0;
  let galleryNoFace = 0;
  const galleryOutcomes: Record<string, number> = {};
  for (const [i, row] of gallery.entries()) {
    const path = resolveImagePath(row.path, galleryCsv);
    const started = performance.now();
    if (app) {
      const outcome = await app.enrol(path, row.subject);
      const key = outcome.status === 'set_aside' ? outcome.reason : outcome.status;
      galleryOutcomes[key] = (galleryOutcomes[key] ?? 0) + 1;
      if (outcome.status === 'set_aside') galleryNoFace++;
    } else {
      const result = await embedImageFile(pipeline, path, defaultEmbedImageOptions);
      if (result.embedding) await scan!.add(row.subject, result.embedding);
      else galleryNoFace++;
      await save(row, result.embedding);
    }
    totalMs += performance.now() - started;
    progress('gallery', i + 1, gallery.length);
  }
  await app?.finishEnrolment();
  const enrolled = new Set<string>();
  for (const row of gallery) enrolled.add(row.subject);

  const out = createWriteStream(outFile);
  const outcomes: ProbeOutcome[] = [];
  let probesNoFace = 0;
  let probeErrors = 0;
  for (const [i, row] of probes.entries()) {
    const started = performance.now();
    const path = resolveImagePath(row.path, probesCsv);
    let result: ImageEmbedding;
    let candidates: SubjectCandidate[];
    if (app) {
      try {
        ({ embedding: result, candidates } = await app.identify(path, top));
      } catch (error) {
        // One refused or failed probe is reported and counted, never the end of the run.
        const message = (error as Error).message;
        console.error(`\n[identify] ${row.path}: ${message}`);
        result = { faces: 0, embedding: null, analysis: null, size: null, isLowConfidence: false, isCentreFallback: false, error: message, ms: 0 };
        candidates = [];
      }
    } else {
      result = await embedImageFile(pipeline, path, defaultEmbedImageOptions);
      candidates = result.embedding ? await scan!.search(result.embedding, top) : [];
    }
    totalMs += performance.now() - started;
    if (result.error) probeErrors++;
    if (!result.embedding) probesNoFace++;
    await save(row, result.embedding);
    const line = { probe: row.path, faces: result.faces, candidates: candidates.map((c) => ({ subject: c.subject, score: round(c.score) })) };
    if (!out.write(`${JSON.stringify(line)}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
    const isMated = enrolled.has(row.subject);
    const rankIndex = candidates.findIndex((c) => c.subject === row.subject);
    // The best non-mated score: the first listed subject who is not the probe's (the list is long
    // enough: at most one subject per probe is mated).
    const nonMated = candidates.find((candidate) => candidate.subject !== row.subject);
    outcomes.push({
      isMated,
      matedRank: rankIndex >= 0 ? rankIndex + 1 : null,
      matedScore: rankIndex >= 0 ? candidates[rankIndex]!.score : null,
      bestNonMatedScore: nonMated?.score ?? null,
    });
    progress('probes', i + 1, probes.length);
  }
  await new Promise<void>((r) => out.end(r));
  await app?.close();
  await scan?.close();
  if (saved) await new Promise<void>((r) => saved.end(r));

  const metrics = summariseIdentification(outcomes, [0.01, 0.1]);
  const summary = {
    command: 'identify',
    modelId: pipeline.recognizerId,
    detectorId: pipeline.detectorId,
    galleryImages: gallery.length,
    gallerySubjects: enrolled.size,
    galleryImagesWithNoFace: galleryNoFace,
    ...(app ? { galleryEnrolment: galleryOutcomes } : {}),
    probes: probes.length,
    matedProbes: outcomes.filter((o) => o.isMated).length,
    rank1: round(metrics.rank1),
    rank10: round(metrics.rank10),
    fnirAtFpir001: metrics.fnirAtFpir[0]?.fnir ?? null,
    fnirAtFpir01: metrics.fnirAtFpir[1]?.fnir ?? null,
    thresholdAtFpir001: metrics.fnirAtFpir[0]?.threshold ?? null,
    thresholdAtFpir01: metrics.fnirAtFpir[1]?.threshold ?? null,
    fpirSource: metrics.fpirSource,
    imagesWithNoFace: probesNoFace,
    probeErrors,
    msPerImage: round(totalMs / Math.max(1, gallery.length + probes.length), 1),
    index: indexKind === 'embedded' ? 'the app: enrolment service, probe and search actions, embedded index (temporary store)' : 'in-memory exact scan',
    results: outFile,
  };
  printSummary(summary, flags.json);
}

export function round(x: number, digits = 6): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function printSummary(summary: Record<string, unknown>, isJson: boolean) {
  for (const [key, value] of Object.entries(summary)) console.log(`${key.padEnd(26)} ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`);
  if (isJson) console.log(JSON.stringify(summary));
}
