import { rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { startBrowserHarness } from '../eval/browser-vision-harness';
import { hasFfmpeg, makeClip, type ClipCodec } from '../support/make-clip';
import { parseCommandLine } from '../support/parse-args';

// `npm run bench -- clip [--codec h264,vp8,vp9] [--stills 6] [--seconds-each 0.5] [--threads N] [--json]` (threads: the app's own choice unless given)
// What a short CCTV clip costs in the browser, stage by stage, on the code the case page ships: the
// clip's SHA-256, opening it in a <video> element, seeking + grabbing each sampled frame as an
// ImageBitmap (lib/client/clip-sampler.ts), the worker's analyse-frame (transfer, detection, landmarks,
// quality, embedding and PNG crop of every face, the frame's PNG hash), and linking the faces into
// tracks (lib/vision/track-faces.ts). The clips are made by ffmpeg from LFW stills of one person
// (640×480, each still held for --seconds-each), in a temp folder, and deleted afterwards.

const usage = 'usage: npm run bench -- clip [--codec h264,vp8,vp9] [--stills 6] [--seconds-each 0.5] [--threads N] [--json]';
const lfwPerson = resolve(process.cwd(), '../shared/data/lfw/images/Colin_Powell');

const pageSource = `
import { openClip, sha256OfFile } from ${JSON.stringify(resolve(import.meta.dirname, '../../lib/client/clip-sampler.ts'))};
import { rankTrackFrames, trackFaces } from ${JSON.stringify(resolve(import.meta.dirname, '../../lib/vision/track-faces.ts'))};
globalThis.clipBench = async (options, b64, type) => {
  const client = clientFor(options);
  await client.ready();
  const file = new Blob([fromBase64(b64)], { type });
  const started = performance.now();
  const hashed = sha256OfFile(file).then(() => performance.now() - started);
  const clip = await openClip(file);
  const openMs = performance.now() - started;
  const frames = [];
  const seekMs = [];
  const analyseMs = [];
  let faces = 0;
  let t = performance.now();
  for await (const frame of clip.frames) {
    seekMs.push(performance.now() - t);
    const a = performance.now();
    const r = await client.analyseFrame(frame.bitmap, { cropFormat: 'png' });
    analyseMs.push(performance.now() - a);
    faces += r.faces.length;
    frames.push({ index: frame.index, timeMs: frame.timeMs, faces: r.faces.map((f) => ({ box: f.box, embedding: f.embedding, quality: f.quality })) });
    t = performance.now();
  }
  clip.close();
  const hashMs = await hashed;
  const tt = performance.now();
  const tracks = trackFaces(frames);
  for (const track of tracks) rankTrackFrames(track);
  const trackMs = performance.now() - tt;
  return { frames: frames.length, faces, tracks: tracks.map((track) => track.members.length), hashMs, openMs, seekMs, analyseMs, trackMs, totalMs: performance.now() - started };
};
`;

type PageResult = { frames: number; faces: number; tracks: number[]; hashMs: number; openMs: number; seekMs: number[]; analyseMs: number[]; trackMs: number; totalMs: number };

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const round = (value: number) => Math.round(value * 10) / 10;

export async function run(argv: string[]): Promise<void> {
  const cli = parseCommandLine(argv, {
    name: 'bench clip',
    usage,
    options: { codec: { type: 'string' }, stills: { type: 'string' }, 'seconds-each': { type: 'string' }, threads: { type: 'string' }, json: { type: 'boolean' } },
  });
  if (!hasFfmpeg) cli.fail('ffmpeg is needed to make the clips (apt-get install -y ffmpeg)');
  const codecs = (cli.values.codec ?? 'h264,vp8,vp9').split(',') as ClipCodec[];
  for (const codec of codecs) if (!['h264', 'vp8', 'vp9'].includes(codec)) cli.fail(`unknown codec ${JSON.stringify(codec)}`);
  const stills = cli.integer('stills', { min: 1, max: 60, fallback: 6 });
  const secondsEach = Number(cli.values['seconds-each'] ?? 0.5);
  if (!(secondsEach > 0 && secondsEach <= 10)) cli.fail('--seconds-each must be a number of seconds from 0 to 10');
  // Without --threads the worker picks its threads as the case page's does, so the figures are the user's.
  const requestedThreads = cli.values.threads === undefined ? undefined : cli.integer('threads', { min: 1, max: 16, fallback: 1 });
  const files = Array.from({ length: stills }, (_, i) => join(lfwPerson, `Colin_Powell_${String(i + 3).padStart(4, '0')}.jpg`));

  const harness = await startBrowserHarness({ extraPageSource: pageSource });
  const rows: Record<string, unknown>[] = [];
  let numThreads = 0;
  try {
    const options = { backend: 'wasm', ...(requestedThreads ? { numThreads: requestedThreads } : {}) };
    ({ numThreads } = await harness.init(options as never));
    for (const codec of codecs) {
      const clip = makeClip(files, { codec, secondsEach });
      try {
        const r = (await harness.page.evaluate(
          ([o, b64, type]) => (globalThis as never as { clipBench(o: unknown, b: string, t: string): Promise<unknown> }).clipBench(o, b64, type),
          [options, clip.bytes.toString('base64'), codec === 'h264' ? 'video/mp4' : 'video/webm'] as const,
        )) as PageResult;
        rows.push({
          codec,
          clipKiB: Math.round(clip.bytes.length / 1024),
          seconds: stills * secondsEach,
          frames: r.frames,
          faces: r.faces,
          tracks: r.tracks.join('+'),
          hashMs: round(r.hashMs),
          openMs: round(r.openMs),
          seekMedianMs: round(median(r.seekMs)),
          analyseMedianMs: round(median(r.analyseMs)),
          analyseTotalMs: round(r.analyseMs.reduce((a, b) => a + b, 0)),
          trackMs: round(r.trackMs),
          totalMs: round(r.totalMs),
        });
      } finally {
        rmSync(dirname(clip.path), { recursive: true, force: true });
      }
    }
  } finally {
    await harness.close();
  }
  if (cli.values.json) {
    console.log(JSON.stringify({ cpus: cpus().length, numThreads, rows }, null, 2));
    return;
  }
  console.log(`clip bench: ${stills} LFW stills × ${secondsEach} s, 640×480, browser WASM ${numThreads} thread${numThreads === 1 ? '' : 's'}, ${cpus().length} CPUs (models already loaded)`);
  console.table(rows);
}
