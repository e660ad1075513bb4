import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { decodeAlignedCrop, verifyProbeFace } from '@/lib/server/probes/verify-probe-face';
import { decodeImageFile } from '@/lib/server/vision/decode-image-file';
import { loadFacePipeline } from '@/lib/server/vision/load-face-pipeline';
import type { RecordProbeFaceInput } from '@/lib/shared/schemas/probe';
import { toProbeFaceInput } from '@/lib/shared/schemas/probe';
import type { FivePoints } from '@/lib/vision/face-models';
import { type FacePipeline, pickPrimaryFace } from '@/lib/vision/face-pipeline';
import { startBrowserHarness } from '../eval/browser-vision-harness';
import { chromiumPath } from '../support/headless-chromium';
import { parseCommandLine } from '../support/parse-args';

// `npm run bench -- verify [--people 100] [--no-browser] [--json]`
// What the server's check of a probe face costs and how it separates genuine submissions from forged
// ones. For each of the first N LFW people with at least two photos, photos 1 and 2 are analysed by the
// real vision worker in headless Chromium (onnxruntime-web WASM) with a PNG crop, exactly as the
// workbench submits them. The server then
//   - re-embeds each browser crop in Node: cosine to the browser's embedding = genuine agreement;
//   - re-embeds each crop against another person's browser embedding = a substituted embedding;
//   - against the same person's other photo = a substituted photo of the same person;
//   - re-embeds the crop re-encoded as JPEG (quality 92) = how much a lossy crop costs;
// and times verifyProbeFace (decode, re-embed, measure quality, re-encode for storage) per face.
// Without Chromium (--no-browser) the crops and embeddings come from the Node pipeline instead, which
// times the check but says nothing about browser/Node parity.

const lfwImages = resolve(process.cwd(), '../shared/data/lfw/images');

export type Submitted = {
  person: string;
  png: Buffer;
  embedding: number[];
  points5: { x: number; y: number }[];
  face: RecordProbeFaceInput['payload']['face'];
};

async function samplePeople(count: number): Promise<{ person: string; files: [string, string] }[]> {
  const names = await readFile(resolve(lfwImages, '../lfw-names.txt'), 'utf8');
  const people: { person: string; files: [string, string] }[] = [];
  for (const line of names.split('\n')) {
    const [person, n] = line.trim().split('\t');
    if (!person || Number(n) < 2) continue;
    const file = (i: number) => join(lfwImages, person, `${person}_${String(i).padStart(4, '0')}.jpg`);
    people.push({ person, files: [file(1), file(2)] });
    if (people.length === count) break;
  }
  return people;
}

// Runs the worker directly through its message protocol (the harness page already serves /worker.js),
// asking for the PNG crop the workbench uploads.
const pageAnalyse = `async (b64) => {
  const g = globalThis;
  if (!g.__verifyWorker) {
    const worker = new Worker('/worker.js', { type: 'module' });
    const pending = new Map();
    let nextId = 1;
    worker.onmessage = (event) => { const p = pending.get(event.data.id); if (p) { pending.delete(event.data.id); event.data.ok ? p.resolve(event.data.result) : p.reject(new Error(event.data.error.message)); } };
    g.__verifyWorker = (body) => new Promise((resolve, reject) => { const id = nextId++; pending.set(id, { resolve, reject }); worker.postMessage({ id, ...body }); });
    await g.__verifyWorker({ type: 'init', options: { backend: 'wasm' } });
  }
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const result = await g.__verifyWorker({ type: 'analyse-image', source: bytes.buffer, cropFormat: 'png' });
  const faces = [];
  for (const f of result.faces) {
    const crop = new Uint8Array(await f.crop.blob.arrayBuffer());
    let s = '';
    for (let i = 0; i < crop.length; i += 0x8000) s += String.fromCharCode(...crop.subarray(i, i + 0x8000));
    faces.push({ box: f.box, detectorScore: f.detectorScore, isManualBox: f.isManualBox, landmarks: { points5: f.landmarks.points5 },
      quality: { verdict: f.quality.verdict, metrics: f.quality.metrics, reasons: f.quality.reasons }, modelId: f.modelId,
      embedding: Array.from(f.embedding), crop: btoa(s) });
  }
  return faces;
}`;

type BrowserFace = Parameters<typeof toProbeFaceInput>[0] & { crop: string; embedding: number[]; detectorScore: number | null };

/** The workbench's submissions for these files, made by the real worker in headless Chromium. */
export async function analyseInBrowser(files: { person: string; file: string }[]): Promise<Submitted[]> {
  const harness = await startBrowserHarness();
  try {
    const submitted: Submitted[] = [];
    for (const { person, file } of files) {
      const b64 = (await readFile(file)).toString('base64');
      const faces = (await harness.page.evaluate(`(${pageAnalyse})(${JSON.stringify(b64)})`)) as BrowserFace[];
      const primary = pickPrimaryFace(faces.map((f) => ({ ...f, score: f.detectorScore ?? 0 })));
      if (!primary) continue;
      submitted.push({ person, png: Buffer.from(primary.crop, 'base64'), embedding: primary.embedding, points5: [...primary.landmarks.points5], face: toProbeFaceInput(primary) as Submitted['face'] });
    }
    return submitted;
  } finally {
    await harness.close();
  }
}

async function analyseInNode(pipeline: FacePipeline, files: { person: string; file: string }[]): Promise<Submitted[]> {
  const submitted: Submitted[] = [];
  for (const { person, file } of files) {
    const { image } = await decodeImageFile(new Uint8Array(await readFile(file)));
    const primary = pickPrimaryFace(await pipeline.detectFaces(image));
    if (!primary) continue;
    const a = await pipeline.analyseFace(image, primary);
    const png = await sharp(Buffer.from(a.aligned.data), { raw: { width: 112, height: 112, channels: 3 } }).png().toBuffer();
    submitted.push({ person, png, embedding: Array.from(a.embedding), points5: a.landmarks.points5, face: toProbeFaceInput(a) as Submitted['face'] });
  }
  return submitted;
}

function percentiles(values: number[], keys: number[]): Record<string, number> {
  const sorted = [...values].sort((a, b) => a - b);
  const out: Record<string, number> = {};
  for (const k of keys) {
    const index = Math.min(sorted.length - 1, Math.max(0, Math.round((k / 100) * (sorted.length - 1))));
    out[k === 0 ? "min" : k === 100 ? "max" : `p${k}`] = Number(sorted[index]!.toPrecision(7));
  }
  return { n: values.length, ...out };
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

export async function run(argv: string[]): Promise<void> {
  const commandLine = parseCommandLine(argv, {
    name: 'bench verify',
    usage: 'usage: npm run bench -- verify [--people 100] [--no-browser] [--json]',
    options: { people: { type: 'string' }, 'no-browser': { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
  });
  const flags = commandLine.values;
  const peopleCount = commandLine.integer('people', { min: 5, fallback: 100 });
  if (!existsSync(lfwImages)) {
    console.error(`LFW not found at ${lfwImages}: the verification bench needs real faces.`);
    process.exit(1);
  }
  const people = await samplePeople(peopleCount);
  const files = people.flatMap(({ person, files: [a, b] }) => [{ person, file: a }, { person, file: b }]);
  // The server's shared pipeline: default thread count, as getSharedFacePipeline loads it.
  const pipeline = await loadFacePipeline();
  const useBrowser = !flags['no-browser'] && existsSync(chromiumPath);
  const submitted = useBrowser ? await analyseInBrowser(files) : await analyseInNode(pipeline, files);

  const serverEmbeddings: Float32Array[] = [];
  const genuine: number[] = [];
  const jpeg: number[] = [];
  const decodeTimes: number[] = [];
  const embedTimes: number[] = [];
  for (const s of submitted) {
    const points5 = s.points5 as FivePoints;
    const t0 = performance.now();
    const aligned = await decodeAlignedCrop(s.png);
    const t1 = performance.now();
    const server = await pipeline.embedAlignedFace(aligned, points5);
    decodeTimes.push(t1 - t0);
    embedTimes.push(performance.now() - t1);
    serverEmbeddings.push(server);
    genuine.push(dot(s.embedding, server));
    const lossy = await sharp(s.png).jpeg({ quality: 92 }).toBuffer();
    jpeg.push(dot(s.embedding, await pipeline.embedAlignedFace(await decodeAlignedCrop(lossy), points5)));
  }
  const otherPerson: number[] = [];
  const samePerson: number[] = [];
  for (let i = 0; i < submitted.length; i++) {
    for (let j = 0; j < submitted.length; j++) {
      if (i === j) continue;
      const value = dot(submitted[j]!.embedding, serverEmbeddings[i]!);
      if (submitted[i]!.person === submitted[j]!.person) samePerson.push(value);
      else otherPerson.push(value);
    }
  }

  // The whole check as the action runs it, timed per face after a warm-up.
  const times: number[] = [];
  const verdicts = { agree: 0, serverBetter: 0, serverWorse: 0 };
  const rank = { poor: 0, usable: 1, good: 2 } as const;
  for (let round = 0; round < 2; round++) {
    for (const s of submitted) {
      const input = { payload: { face: s.face }, crop: new Uint8Array(s.png) } as unknown as RecordProbeFaceInput;
      const started = performance.now();
      // A claimed verdict better than the server's is refused; count how often that would hit a genuine face.
      const claimed = s.face.quality.verdict;
      const check = await verifyProbeFace({ input: { ...input, payload: { ...input.payload, face: { ...s.face, quality: { ...s.face.quality, verdict: 'poor' } } } }, pipeline });
      const elapsed = performance.now() - started;
      if (round === 1) {
        times.push(elapsed);
        const server = check.serverQuality.verdict;
        if (server === claimed) verdicts.agree++;
        else if (rank[server] > rank[claimed]) verdicts.serverBetter++;
        else verdicts.serverWorse++;
      }
    }
  }

  const result = {
    bench: 'verify',
    source: useBrowser ? 'browser worker (onnxruntime-web WASM, headless Chromium), PNG crops' : 'Node pipeline (no browser): parity not measured',
    people: people.length,
    faces: submitted.length,
    modelId: pipeline.recognizerId,
    genuineAgreement: percentiles(genuine, [0, 1, 5, 50, 100]),
    // Float32 rounding shows here, not in the percentiles above.
    genuineLargestShortfall: Number((1 - Math.min(...genuine)).toExponential(2)),
    jpegCropAgreement: percentiles(jpeg, [0, 1, 5, 50, 100]),
    samePersonOtherPhoto: percentiles(samePerson, [50, 95, 99, 100]),
    otherPerson: percentiles(otherPerson, [50, 95, 99, 100]),
    qualityVerdicts: verdicts,
    verifyMs: percentiles(times, [50, 95, 100]),
    // Parts of it, from the parity pass (the first faces include warm-up).
    decodeMs: percentiles(decodeTimes, [50, 95]),
    embedMs: percentiles(embedTimes, [50, 95]),
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version },
  };
  for (const [key, value] of Object.entries(result)) console.log(`${key.padEnd(22)} ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`);
  if (flags.json) console.log(JSON.stringify(result));
}
