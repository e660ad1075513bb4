import { createWriteStream, existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { loadFacePipeline } from '@/lib/server/vision/load-face-pipeline';
import { MAX_EXTRA_PROBE_FACES, MAX_LIST_SIZE } from '@/lib/shared/schemas/search';
import { seededRandom } from './degrade-image';
import { defaultEmbedImageOptions, embedImageFile, type ImageEmbedding } from './embed-image-file';
import { createSubjectSearch, type SubjectCandidate, type SubjectSearch } from './exact-subject-search';
import { openAppIdentification, type AppIdentification, type RecordedCandidate, type RecordedSearch } from './app-identification';
import { type ProbeOutcome, summariseHonesty, summariseIdentification } from './identification-metrics';
import { calibrationTableFor, calibrationTableId, describeExpectedFalsePositives, expectedFalsePositiveRate, falseMatchRate } from '@/lib/shared/calibration/false-match-rate';
import { adaptProbeVector, loadProbeAdapter } from '@/lib/server/search/probe-adapter';
import { parseCommandLine } from '../support/parse-args';
import { readLabelledCsv } from '../support/read-csv';

// `npm run eval -- identify --gallery G.csv --probes P.csv --top 50 --out results.jsonl [--json] [--threads N]
//   [--index embedded|scan] [--save-embeddings FILE] [--frames K]`
//
// `--index embedded` (the default) runs the app: enrolment service, probe and search server actions,
// embedded vector index. `--index scan` is a dependency-free exact scan to check the app against.
//
// Each line of `--out` is one probe: its condition (third CSV column, when the probes come from
// `npm run eval -- build-degraded`), whether it is mated, the quality verdict the server measured and its
// reasons, the calibration table the search used, and every candidate with its raw score, false-match
// rate, expected FPIR and the words the reviewer is shown — so the calibration can be checked from the
// output alone. The summary gives the figures overall and per condition, and the honesty check: among
// non-mated searches, the share whose top candidate is described as "1 in N" or rarer, against 1/N.
//
// `--frames K` (issue 11 §3): each probe person is searched once with K faces as one multi-face search
// through the app (record each face, then one search with `extraProbeFaceIds`). The K faces are K of the
// person's degraded renderings of their probe photograph (every condition but clean; drawn seeded), so
// they stand in for frames that differ in degradation, not pose. A line is then one person.

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
  'usage: npm run eval -- identify --gallery G.csv --probes P.csv --out results.jsonl [--top 50] [--json] [--threads 1] [--index embedded|scan] [--save-embeddings FILE] [--frames K]';

/**
 * The `--frames K` probes: per person, K of their degraded renderings (not clean), drawn by a seeded
 * shuffle, as one group searched together. People with fewer than K renderings are left out.
 */
export function frameGroups<Row extends { path: string; subject: string; condition?: string }>(rows: readonly Row[], frames: number, seed = 7): { subject: string; rows: Row[] }[] {
  const random = seededRandom(seed);
  const bySubject = new Map<string, Row[]>();
  for (const row of rows) {
    if ((row.condition ?? 'clean') === 'clean') continue;
    bySubject.set(row.subject, [...(bySubject.get(row.subject) ?? []), row]);
  }
  const groups: { subject: string; rows: Row[] }[] = [];
  for (const [subject, list] of bySubject) {
    if (list.length < frames) continue;
    const shuffled = [...list];
    for (let i = shuffled.length - 1; i > 0; i -= 1) {
      const j = Math.floor(random() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    groups.push({ subject, rows: shuffled.slice(0, frames) });
  }
  return groups;
}

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
      frames: { type: 'string' },
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
  const frames = flags.frames === undefined ? null : commandLine.integer('frames', { min: 1, fallback: 1 });
  if (frames !== null && indexKind !== 'embedded') commandLine.fail('--frames searches through the app: it needs --index embedded');
  if (frames !== null && frames > MAX_EXTRA_PROBE_FACES + 1) commandLine.fail(`--frames: a probe is at most ${MAX_EXTRA_PROBE_FACES + 1} faces`);
  const pipeline = await loadFacePipeline({ intraOpThreads: threads });
  const gallery = await readLabelledCsv(galleryCsv);
  const probes = await readLabelledCsv(probesCsv);

  const app: AppIdentification | null = indexKind === 'embedded' ? await openAppIdentification(pipeline) : null;
  const scan: SubjectSearch | null = app ? null : createSubjectSearch(pipeline.embeddingDimension);
  // Optional dump of every embedding (binary: per row a JSON header line, then 512 float32) so calibration
  // can reuse an evaluation's embeddings instead of recomputing them.
  const saveFile = flags['save-embeddings'];
  const saved = saveFile ? createWriteStream(saveFile) : null;
  const save = async (row: { path: string; subject: string; condition?: string }, embedding: Float32Array | null, extra: { role: 'gallery' | 'probe'; qualityVerdict: string | null }) => {
    if (!saved || !embedding) return;
    const header = { path: row.path, subject: row.subject, dimension: embedding.length, modelId: pipeline.recognizerId, condition: row.condition ?? null, ...extra };
    saved.write(`${JSON.stringify(header)}\n`);
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
      await save(row, result.embedding, { role: 'gallery', qualityVerdict: result.analysis?.quality.verdict ?? null });
    }
    totalMs += performance.now() - started;
    progress('gallery', i + 1, gallery.length);
  }
  await app?.finishEnrolment();
  const enrolled = new Set<string>();
  for (const row of gallery) enrolled.add(row.subject);

  const out = createWriteStream(outFile);
  const outcomes: (ProbeOutcome & { condition: string; topExpectedFpir: number | null; calibrationTableId: string | null })[] = [];
  let probesNoFace = 0;
  let probeErrors = 0;
  // With --frames, one "probe" is a person's group of K images, searched as one; else one image.
  const probeUnits = frames === null ? probes.map((row) => ({ row, group: null })) : frameGroups(probes, frames).map((group) => ({ row: { ...group.rows[0]!, condition: `${frames} frames` }, group: group.rows }));
  for (const [i, { row, group }] of probeUnits.entries()) {
    const started = performance.now();
    const path = resolveImagePath(row.path, probesCsv);
    let result: ImageEmbedding;
    let candidates: RecordedCandidate[];
    let search: RecordedSearch | null = null;
    if (app && group) {
      try {
        const many = await app.identifyMany(group.map((member) => resolveImagePath(member.path, probesCsv)), top);
        ({ candidates, search } = many);
        // The group's first face with one found stands for it in the line's face count and embedding dump.
        result = many.embeddings.find((embedding) => embedding.embedding) ?? many.embeddings[0]!;
      } catch (error) {
        const message = (error as Error).message;
        console.error(`\n[identify] ${group.map((member) => member.path).join(', ')}: ${message}`);
        result = { faces: 0, embedding: null, analysis: null, size: null, isLowConfidence: false, isCentreFallback: false, error: message, ms: 0 };
        candidates = [];
      }
    } else if (app) {
      try {
        ({ embedding: result, candidates, search } = await app.identify(path, top));
      } catch (error) {
        // One refused or failed probe is reported and counted, never the end of the run.
        const message = (error as Error).message;
        console.error(`\n[identify] ${row.path}: ${message}`);
        result = { faces: 0, embedding: null, analysis: null, size: null, isLowConfidence: false, isCentreFallback: false, error: message, ms: 0 };
        candidates = [];
      }
    } else {
      result = await embedImageFile(pipeline, path, defaultEmbedImageOptions);
      const found = result.embedding ? await scan!.search(scanQueryVector(pipeline.recognizerId, result), top) : [];
      ({ candidates, search } = calibrateScanCandidates(pipeline.recognizerId, found, result, scan!.size));
    }
    totalMs += performance.now() - started;
    if (result.error) probeErrors++;
    if (!result.embedding) probesNoFace++;
    await save(row, result.embedding, { role: 'probe', qualityVerdict: search?.qualityVerdict ?? result.analysis?.quality.verdict ?? null });
    const isMated = enrolled.has(row.subject);
    const line = {
      probe: row.path,
      ...(group ? { frames: group.map((member) => ({ path: member.path, condition: member.condition ?? null })) } : {}),
      subject: row.subject,
      condition: row.condition ?? null,
      isMated,
      faces: result.faces,
      quality: search ? { verdict: search.qualityVerdict, reasons: search.qualityReasons } : null,
      calibrationTableId: search?.calibrationTableId ?? null,
      gallerySize: search?.gallerySize ?? null,
      candidates: candidates.map((c) => ({ subject: c.subject, score: round(c.score), falseMatchRate: c.falseMatchRate, expectedFpir: c.expectedFpir, words: c.words })),
      ...(result.error ? { error: result.error } : {}),
    };
    if (!out.write(`${JSON.stringify(line)}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
    const rankIndex = candidates.findIndex((c) => c.subject === row.subject);
    // The best non-mated score: the first listed subject who is not the probe's (the list is long
    // enough: at most one subject per probe is mated).
    const nonMated = candidates.find((candidate) => candidate.subject !== row.subject);
    outcomes.push({
      condition: row.condition ?? 'all',
      isMated,
      matedRank: rankIndex >= 0 ? rankIndex + 1 : null,
      matedScore: rankIndex >= 0 ? candidates[rankIndex]!.score : null,
      bestNonMatedScore: nonMated?.score ?? null,
      topExpectedFpir: candidates[0]?.expectedFpir ?? null,
      calibrationTableId: search?.calibrationTableId ?? null,
    });
    progress('probes', i + 1, probeUnits.length);
  }
  await new Promise<void>((r) => out.end(r));
  await app?.close();
  await scan?.close();
  if (saved) await new Promise<void>((r) => saved.end(r));

  const metrics = summariseIdentification(outcomes, [0.01, 0.1]);
  const conditions = [...new Set(outcomes.map((o) => o.condition))];
  const figuresOf = (subset: typeof outcomes) => {
    const m = summariseIdentification(subset, [0.01, 0.1]);
    return {
      mated: subset.filter((o) => o.isMated).length,
      nonMated: subset.filter((o) => !o.isMated).length,
      rank1: round(m.rank1),
      rank10: round(m.rank10),
      fnirAtFpir01: m.fnirAtFpir[1]?.fnir ?? null,
      fnirAtFpir001: m.fnirAtFpir[0]?.fnir ?? null,
      honesty: summariseHonesty(subset.filter((o) => !o.isMated).map((o) => o.topExpectedFpir)).map((h) => ({ ...h, share: round(h.share), pValue: round(h.pValue, 4) })),
      calibrationTables: countBy(subset.map((o) => o.calibrationTableId ?? 'none')),
    };
  };
  const byCondition = conditions.length > 1 ? Object.fromEntries(conditions.map((c) => [c, figuresOf(outcomes.filter((o) => o.condition === c))])) : null;
  const degraded = conditions.length > 1 ? figuresOf(outcomes.filter((o) => o.condition !== 'clean')) : null;
  const summary = {
    command: 'identify',
    modelId: pipeline.recognizerId,
    detectorId: pipeline.detectorId,
    galleryImages: gallery.length,
    gallerySubjects: enrolled.size,
    galleryImagesWithNoFace: galleryNoFace,
    ...(app ? { galleryEnrolment: galleryOutcomes } : {}),
    probes: probeUnits.length,
    ...(frames !== null ? { framesPerProbe: frames, probeImages: probeUnits.reduce((total, unit) => total + (unit.group?.length ?? 1), 0) } : {}),
    matedProbes: outcomes.filter((o) => o.isMated).length,
    rank1: round(metrics.rank1),
    rank10: round(metrics.rank10),
    fnirAtFpir001: metrics.fnirAtFpir[0]?.fnir ?? null,
    fnirAtFpir01: metrics.fnirAtFpir[1]?.fnir ?? null,
    thresholdAtFpir001: metrics.fnirAtFpir[0]?.threshold ?? null,
    thresholdAtFpir01: metrics.fnirAtFpir[1]?.threshold ?? null,
    fpirSource: metrics.fpirSource,
    honesty: figuresOf(outcomes).honesty,
    ...(byCondition ? { allDegraded: degraded, byCondition } : {}),
    imagesWithNoFace: probesNoFace,
    probeErrors,
    msPerImage: round(totalMs / Math.max(1, gallery.length + probes.length), 1),
    index: indexKind === 'embedded' ? 'the app: enrolment service, probe and search actions, embedded index (temporary store)' : 'in-memory exact scan',
    results: outFile,
  };
  printSummary(summary, flags.json);
}

function countBy(keys: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const key of keys) counts[key] = (counts[key] ?? 0) + 1;
  return counts;
}

/** The vector the app would search with: through the probe adapter of the table the search would read with. */
function scanQueryVector(modelId: string, result: ImageEmbedding): Float32Array {
  const table = calibrationTableFor(modelId, result.analysis?.quality.verdict);
  return table?.probeAdapterId ? adaptProbeVector(loadProbeAdapter(table.probeAdapterId), result.embedding!) : result.embedding!;
}

/**
 * `--index scan` has no app to record a search: the candidates are read with the same table choice
 * (by the pipeline's quality verdict) and the same words, so the two paths can be compared line by line.
 */
function calibrateScanCandidates(modelId: string, found: SubjectCandidate[], result: ImageEmbedding, gallerySize: number): { candidates: RecordedCandidate[]; search: RecordedSearch | null } {
  if (!result.analysis) return { candidates: [], search: null };
  const quality = result.analysis.quality;
  const table = calibrationTableFor(modelId, quality.verdict);
  const candidates = found.map((candidate) => {
    const rate = table ? falseMatchRate(modelId, candidate.score, table) : null;
    const expectedFpir = rate ? expectedFalsePositiveRate(rate.fmr, gallerySize) : Number.NaN;
    return {
      ...candidate,
      falseMatchRate: rate?.fmr ?? Number.NaN,
      expectedFpir,
      words: rate ? describeExpectedFalsePositives({ expectedFpir, gallerySize, isUpperBound: rate.isUpperBound }) : 'no calibration table',
    };
  });
  return {
    candidates,
    search: { searchId: '', qualityVerdict: quality.verdict, qualityReasons: quality.reasons.map((r) => r.message), calibrationTableId: table ? calibrationTableId(table) : null, gallerySize },
  };
}

export function round(x: number, digits = 6): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function printSummary(summary: Record<string, unknown>, isJson: boolean) {
  for (const [key, value] of Object.entries(summary)) console.log(`${key.padEnd(26)} ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`);
  if (isJson) console.log(JSON.stringify(summary));
}
