import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadFacePipeline } from '@/lib/server/vision/load-face-pipeline';
import { cosineSimilarity } from '@/lib/vision/face-recognizer';
import { embedImageFile, type ImageEmbedding } from './embed-image-file';
import { summariseVerification, type VerificationPair } from './identification-metrics';
import { parseCommandLine } from '../support/parse-args';
import { printSummary, round } from './run-identify';

// `npm run eval -- verify --pairs pairs.txt --images DIR [--limit-folds N] [--json] [--threads N]`

export type LfwPair = { a: string; b: string; isSame: boolean; fold: number };

export function lfwImagePath(name: string, index: string): string {
  return `${name}/${name}_${index.padStart(4, '0')}.jpg`;
}

/** pairs.txt: header `folds perFold`, then per fold `perFold` matched lines and `perFold` mismatched lines. */
export function parseLfwPairs(text: string): LfwPair[] {
  const lines = text.trim().split(/\r?\n/);
  const [folds, perFold] = lines[0]!.trim().split(/\s+/).map(Number) as [number, number];
  const pairs: LfwPair[] = [];
  for (let i = 1; i < lines.length; i++) {
    const parts = lines[i]!.trim().split(/\s+/);
    const fold = Math.floor((i - 1) / (2 * perFold));
    if (fold >= folds) break;
    if (parts.length === 3) pairs.push({ a: lfwImagePath(parts[0]!, parts[1]!), b: lfwImagePath(parts[0]!, parts[2]!), isSame: true, fold });
    else if (parts.length === 4) pairs.push({ a: lfwImagePath(parts[0]!, parts[1]!), b: lfwImagePath(parts[2]!, parts[3]!), isSame: false, fold });
    else throw new Error(`pairs line ${i + 1}: cannot parse "${lines[i]}"`);
  }
  return pairs;
}

export const VERIFY_USAGE = 'usage: npm run eval -- verify --pairs pairs.txt --images DIR [--limit-folds N] [--json] [--threads 1]';

export async function runVerify(argv: readonly string[]): Promise<void> {
  const commandLine = parseCommandLine(argv, {
    name: 'eval verify',
    usage: VERIFY_USAGE,
    options: {
      pairs: { type: 'string' },
      images: { type: 'string' },
      'limit-folds': { type: 'string' },
      threads: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const pairsFile = commandLine.required('pairs');
  const imagesDir = commandLine.required('images');
  const limitFolds = commandLine.integer('limit-folds', { min: 0, fallback: 0 });
  const threads = commandLine.integer('threads', { min: 1, fallback: 1 });
  let pairs = parseLfwPairs(await readFile(pairsFile, 'utf8'));
  if (limitFolds > 0) pairs = pairs.filter((p) => p.fold < limitFolds);
  const pipeline = await loadFacePipeline({ intraOpThreads: threads });
  const unique = [...new Set(pairs.flatMap((p) => [p.a, p.b]))];
  const embeddings = new Map<string, ImageEmbedding>();
  let totalMs = 0;
  for (const [i, path] of unique.entries()) {
    const result = await embedImageFile(pipeline, join(imagesDir, path), { fallbackThreshold: 0.25, isCentreFallbackAllowed: true });
    embeddings.set(path, result);
    totalMs += result.ms;
    if (process.stderr.isTTY || (i + 1) % 500 === 0 || i + 1 === unique.length) process.stderr.write(`\rimages ${i + 1}/${unique.length}${i + 1 === unique.length ? '\n' : ''}`);
  }
  const scored: VerificationPair[] = pairs.map((p) => {
    const a = embeddings.get(p.a)?.embedding;
    const b = embeddings.get(p.b)?.embedding;
    // An unreadable image counts as a failed comparison (score −1), never silently dropped.
    return { score: a && b ? cosineSimilarity(a, b) : -1, isSame: p.isSame, fold: p.fold };
  });
  const s = summariseVerification(scored, 1e-3);
  const all = [...embeddings.values()];
  printSummary(
    {
      command: 'verify',
      modelId: pipeline.recognizerId,
      pairs: pairs.length,
      folds: s.folds,
      accuracy: round(s.accuracy),
      accuracyStd: round(s.accuracyStd),
      meanThreshold: round(s.meanThreshold),
      tarAtFar1e3: round(s.tarAtFar.tar),
      thresholdAtFar1e3: s.tarAtFar.threshold === null ? null : round(s.tarAtFar.threshold),
      images: unique.length,
      imagesWithNoFace: all.filter((e) => e.faces === 0).length,
      imagesCentreFallback: all.filter((e) => e.isCentreFallback).length,
      imagesLowConfidence: all.filter((e) => e.isLowConfidence).length,
      imageErrors: all.filter((e) => e.error !== null).length,
      msPerImage: round(totalMs / Math.max(1, unique.length), 1),
    },
    commandLine.values.json,
  );
}
