import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import sharp from 'sharp';
import { decodeImageFile } from '@/lib/server/vision/decode-image-file';
import { loadFacePipeline } from '@/lib/server/vision/load-face-pipeline';
import { cosineSimilarity } from '@/lib/vision/face-recognizer';
import { pickPrimaryFace } from '@/lib/vision/face-pipeline';
import { startBrowserHarness } from '../eval/browser-vision-harness';
import { parseCommandLine } from '../support/parse-args';
import { buildRealFrame, hasLfwImages, lfwAbsentMessage, matchPastedFaces, realFrameSpecs } from './real-frames';

// `npm run bench -- pipeline [--runs 20] [--image FILE] [--no-browser] [--json]`
// Milliseconds for detect + landmarks + embed of a 640×480 image with one face: Node (onnxruntime-node,
// one thread) and, in the same run, the browser worker (onnxruntime-web WASM in headless Chromium).
// Decoding is timed separately; it depends on the codec, not on the pipeline.
// Then the same for CCTV-sized stills (scripts/bench/real-frames.ts: 1280×720 and 1920×1080 JPEGs with LFW
// faces of about 110, 60 and 26–28 px on a textured background), with detection timed on its own and
// which pasted faces were found; skipped with a message when LFW is absent. `--frames 640` times only the
// 640×480 frame.

const lfwSample = resolve(process.cwd(), '../shared/data/lfw/images/Colin_Powell/Colin_Powell_0005.jpg');

async function composeBenchImage(file: string | undefined): Promise<{ bytes: Uint8Array; source: string }> {
  if (file) return { bytes: new Uint8Array(await readFile(file)), source: file };
  if (existsSync(lfwSample)) {
    // An LFW portrait enlarged to 480 px high on a grey 640×480 frame: one face of about 200 px.
    const face = await sharp(lfwSample).resize(480, 480).toBuffer();
    const png = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#7f7f7f' } })
      .composite([{ input: face, left: 80, top: 0 }])
      .png()
      .toBuffer();
    return { bytes: new Uint8Array(png), source: `${lfwSample} composed onto 640×480` };
  }
  // Without LFW the timing still holds (the detector runs the same pyramid), but no face is found, so
  // landmarks and embedding are timed on a manual box instead.
  const png = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#6a5a4a' } }).png().toBuffer();
  return { bytes: new Uint8Array(png), source: 'synthetic 640×480 (LFW absent)' };
}

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  return { median: Math.round(median * 10) / 10, mean: Math.round(mean * 10) / 10, min: Math.round(sorted[0]! * 10) / 10 };
}

export async function run(argv: string[]): Promise<void> {
  const commandLine = parseCommandLine(argv, {
    name: 'bench pipeline',
    usage: 'usage: npm run bench -- pipeline [--runs 20] [--frames 640|all] [--image FILE] [--no-browser] [--json]',
    options: { runs: { type: 'string' }, frames: { type: 'string', default: 'all' }, image: { type: 'string' }, 'no-browser': { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
  });
  const flags = commandLine.values;
  if (flags.frames !== 'all' && flags.frames !== '640') commandLine.fail(`--frames is 640 or all, not ${JSON.stringify(flags.frames)}`);
  const runs = commandLine.integer('runs', { min: 3, fallback: 20 });
  const { bytes, source } = await composeBenchImage(flags.image);

  const pipeline = await loadFacePipeline({ intraOpThreads: 1 });
  const decodeTimes: number[] = [];
  const nodeTimes: number[] = [];
  let nodeEmbedding: Float32Array | null = null;
  let faces = 0;
  for (let i = 0; i < runs + 3; i++) {
    const t0 = performance.now();
    const { image } = await decodeImageFile(bytes);
    const t1 = performance.now();
    const detected = await pipeline.detectFaces(image);
    const boxes = detected.length > 0 ? detected : [{ box: { x: 220, y: 140, width: 200, height: 200 }, score: null }];
    let last = null;
    for (const f of boxes) last = await pipeline.analyseFace(image, f);
    const t2 = performance.now();
    if (i >= 3) {
      decodeTimes.push(t1 - t0);
      nodeTimes.push(t2 - t1);
    }
    faces = detected.length;
    const primary = pickPrimaryFace(detected);
    nodeEmbedding = primary ? (await pipeline.analyseFace(image, primary)).embedding : last!.embedding;
  }

  const result: Record<string, unknown> = {
    bench: 'pipeline',
    image: source,
    imageSize: '640×480',
    facesFound: faces,
    runs,
    modelId: pipeline.recognizerId,
    node: { threads: 1, decodeMs: stats(decodeTimes), pipelineMs: stats(nodeTimes) },
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version },
  };

  const realFrames = flags.frames === 'all' && hasLfwImages ? await Promise.all(realFrameSpecs.map((spec) => buildRealFrame(spec))) : [];
  if (flags.frames === 'all' && !hasLfwImages) console.log(`bench pipeline: ${lfwAbsentMessage}.`);
  // Fewer runs for the big frames: each costs several times the 640×480 one.
  const frameRuns = Math.max(3, Math.ceil(runs / 4));
  const realFrameResults: Record<string, Record<string, unknown>> = {};
  for (const frame of realFrames) {
    const detectTimes: number[] = [];
    const analyseTimes: number[] = [];
    let found: ReturnType<typeof matchPastedFaces> = [];
    let facesFound = 0;
    for (let i = 0; i < frameRuns + 1; i++) {
      const { image } = await decodeImageFile(frame.bytes);
      const t0 = performance.now();
      const detected = await pipeline.detectFaces(image);
      const t1 = performance.now();
      for (const f of detected) await pipeline.analyseFace(image, f);
      const t2 = performance.now();
      if (i >= 1) {
        detectTimes.push(t1 - t0);
        analyseTimes.push(t2 - t1);
      }
      facesFound = detected.length;
      found = matchPastedFaces(frame, detected.map((f) => f.box));
    }
    realFrameResults[frame.name] = {
      facesFound,
      pastedFaces: found,
      runs: frameRuns,
      node: { threads: 1, detectMs: stats(detectTimes), analyseAllFacesMs: stats(analyseTimes) },
    };
  }
  result.frames = realFrameResults;

  if (!flags['no-browser']) {
    const harness = await startBrowserHarness();
    try {
      for (const threads of [1, 0] as const) {
        const options = { backend: 'wasm' as const, ...(threads ? { numThreads: threads } : {}) };
        const info = await harness.init(options);
        const times: number[] = [];
        let embedding: number[] | null = null;
        for (let i = 0; i < runs + 3; i++) {
          const r = await harness.analyseImage(options, bytes);
          if (i >= 3) times.push(r.ms - r.decodeMs);
          const best = pickPrimaryFace(r.faces.map((f) => ({ ...f, box: f.box as { x: number; y: number; width: number; height: number }, score: f.score ?? 0 })));
          embedding = best?.embedding ?? null;
        }
        const s = stats(times);
        result[threads === 1 ? 'browserWasm1Thread' : 'browserWasmDefaultThreads'] = {
          backend: info.backend,
          threads: info.numThreads,
          pipelineMs: s,
          ratioToNode: Math.round((s.median / stats(nodeTimes).median) * 100) / 100,
          cosineToNode: embedding && nodeEmbedding ? Math.round(cosineSimilarity(new Float32Array(embedding), nodeEmbedding) * 1e6) / 1e6 : null,
        };
      }
      for (const frame of realFrames) {
        // The app's setting: WASM with the default threads (2 on a 2-core machine, when isolated).
        const options = { backend: 'wasm' as const };
        const info = await harness.init(options);
        const times: number[] = [];
        let found: ReturnType<typeof matchPastedFaces> = [];
        for (let i = 0; i < frameRuns + 1; i++) {
          const r = await harness.analyseImage(options, frame.bytes);
          if (i >= 1) times.push(r.ms - r.decodeMs);
          found = matchPastedFaces(frame, r.faces.map((f) => f.box as { x: number; y: number; width: number; height: number }));
        }
        realFrameResults[frame.name]!.browserWasmDefaultThreads = { threads: info.numThreads, detectAndAnalyseAllMs: stats(times), pastedFaces: found };
      }
    } finally {
      await harness.close();
    }
  }

  for (const [key, value] of Object.entries(result)) console.log(`${key.padEnd(26)} ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`);
  if (flags.json) console.log(JSON.stringify(result));
}
