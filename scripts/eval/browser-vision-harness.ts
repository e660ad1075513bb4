import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { build } from 'esbuild';
import { type Browser, chromium, type Page } from 'playwright-core';
import { chromiumArgs, chromiumPath } from '../support/headless-chromium';

// Runs the real vision worker (lib/client/vision-worker.ts, bundled by esbuild) in headless Chromium with
// cross-origin isolation, so the browser figures come from the exact code the app ships. Used by the
// pipeline benchmark and the browser/Node parity test.

const root = resolve(import.meta.dirname, '../..');


const pageSource = `
import { createVisionClient } from ${JSON.stringify(join(root, 'lib/client/vision-client.ts'))};
const clients = new Map();
function clientFor(options) {
  const key = JSON.stringify(options);
  if (!clients.has(key)) clients.set(key, createVisionClient({ ...options, createWorker: () => new Worker('/worker.js', { type: 'module' }) }));
  return clients.get(key);
}
function fromBase64(b64) {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}
globalThis.visionHarness = {
  async init(options) { return clientFor(options).ready(); },
  async analyseImage(options, b64) {
    const r = await clientFor(options).analyseImage(fromBase64(b64).buffer, { cropFormat: 'rgba' });
    return {
      ms: r.ms, decodeMs: r.detect.decodeMs, width: r.detect.width, height: r.detect.height,
      faces: r.faces.map((f) => ({ box: f.box, score: f.detectorScore, embedding: Array.from(f.embedding), modelId: f.modelId, verdict: f.quality.verdict })),
    };
  },
  async detectThenAnalyse(options, b64) {
    const client = clientFor(options);
    const detected = await client.detect(fromBase64(b64).buffer);
    const face = detected.faces[0];
    if (!face) return { faces: 0 };
    const a = await client.analyse({ imageId: detected.imageId, box: face.box, score: face.score }, { cropFormat: 'png' });
    const manual = await client.analyse({ imageId: detected.imageId, box: face.box, score: null }, { cropFormat: 'jpeg' });
    await client.release(detected.imageId);
    let afterRelease = null;
    try { await client.analyse({ imageId: detected.imageId, box: face.box }); } catch (e) { afterRelease = e.code; }
    return {
      faces: detected.faces.length, cropType: a.crop.blob.type, cropSize: a.crop.blob.size, cropWidth: a.crop.width,
      verdict: a.quality.verdict, reasons: a.quality.reasons.length, manualCropType: manual.crop.blob.type, isManualBox: manual.isManualBox,
      embeddingLength: a.embedding.length, afterRelease,
    };
  },
  async tryError(options, b64) {
    try { await clientFor(options).detect(fromBase64(b64).buffer); return null; } catch (e) { return { code: e.code, message: e.message }; }
  },
  isolated: () => crossOriginIsolated,
};
`;

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.onnx': 'application/octet-stream',
};

export type BrowserHarness = {
  page: Page;
  origin: string;
  init(options: { backend?: 'wasm' | 'webgpu' | 'auto'; numThreads?: number; isFlipAveraged?: boolean }): Promise<{ backend: string; numThreads: number; recognizerId: string }>;
  analyseImage(
    options: { backend?: 'wasm' | 'webgpu' | 'auto'; numThreads?: number; isFlipAveraged?: boolean },
    bytes: Uint8Array,
  ): Promise<{ ms: number; decodeMs: number; width: number; height: number; faces: { box: unknown; score: number | null; embedding: number[]; modelId: string; verdict: string }[] }>;
  tryError(options: { backend?: 'wasm' }, bytes: Uint8Array): Promise<{ code: string; message: string } | null>;
  /** detect(file) then analyse(face) with PNG and JPEG crops, then release: the flow React components use. */
  detectThenAnalyse(options: { backend?: 'wasm' }, bytes: Uint8Array): Promise<Record<string, unknown>>;
  close(): Promise<void>;
};

/** `extraPageSource` is appended to the harness page's module (it may use `clientFor` and `fromBase64`), for a benchmark's own page functions. */
export async function startBrowserHarness(options: { executablePath?: string; extraArgs?: string[]; extraPageSource?: string } = {}): Promise<BrowserHarness> {
  const dir = await mkdtemp(join(tmpdir(), 'vision-harness-'));
  const alias = { '@': root };
  await writeFile(join(dir, 'page.ts'), pageSource + (options.extraPageSource ?? ''));
  await build({
    entryPoints: { worker: join(root, 'lib/client/vision-worker.ts'), page: join(dir, 'page.ts') },
    outdir: dir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    alias,
    logLevel: 'error',
    // zod's locale files and the like are not needed; keep the bundle lean and deterministic.
    minify: false,
  });
  await writeFile(join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><script type="module" src="/page.js"></script>');

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname === '/' ? '/index.html' : url.pathname;
    const base = path.startsWith('/ort/') || path.startsWith('/models/') ? join(root, 'public') : dir;
    const file = normalize(join(base, path));
    if (!file.startsWith(base)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, {
        'Content-Type': contentTypes[extname(file)] ?? 'application/octet-stream',
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Embedder-Policy': 'require-corp',
        'Cross-Origin-Resource-Policy': 'same-origin',
        'Cache-Control': 'no-store',
      });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: options.executablePath ?? chromiumPath, args: [...chromiumArgs, ...(options.extraArgs ?? [])], headless: true });
    const page = await browser.newPage();
    page.on('pageerror', (e) => process.stderr.write(`[browser] ${e.message}\n`));
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => 'visionHarness' in globalThis);
    const toB64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
    const b = browser;
    return {
      page,
      origin,
      init: (o) => page.evaluate((opts) => (globalThis as never as { visionHarness: { init(o: unknown): Promise<never> } }).visionHarness.init(opts), o),
      analyseImage: (o, bytes) =>
        page.evaluate(
          ([opts, b64]) => (globalThis as never as { visionHarness: { analyseImage(o: unknown, b: string): Promise<never> } }).visionHarness.analyseImage(opts, b64),
          [o, toB64(bytes)] as const,
        ),
      detectThenAnalyse: (o, bytes) =>
        page.evaluate(
          ([opts, b64]) => (globalThis as never as { visionHarness: { detectThenAnalyse(o: unknown, b: string): Promise<never> } }).visionHarness.detectThenAnalyse(opts, b64),
          [o, toB64(bytes)] as const,
        ),
      tryError: (o, bytes) =>
        page.evaluate(
          ([opts, b64]) => (globalThis as never as { visionHarness: { tryError(o: unknown, b: string): Promise<never> } }).visionHarness.tryError(opts, b64),
          [o, toB64(bytes)] as const,
        ),
      async close() {
        await b.close();
        await new Promise<void>((r) => server.close(() => r()));
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await browser?.close();
    server.close();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
