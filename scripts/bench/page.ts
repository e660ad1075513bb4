import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { chromiumArgs, chromiumPath } from '../support/headless-chromium';
import { parseCommandLine } from '../support/parse-args';
import { buildRealFrame, hasLfwImages, lfwAbsentMessage, matchPastedFaces, realFrameSpecs } from './real-frames';

// `npm run bench -- page [--runs 5] [--frame 1920x1080] [--url http://127.0.0.1:3000] [--port 3190] [--no-search] [--json]`
//
// The investigator's real path, timed in the real app: sign in as the demo investigator, open a case, and
// for each run load the case page afresh, wait until the vision worker reports ready (models loaded, as
// they are by the time a person has found the file), then drop a CCTV-sized still (scripts/bench/real-frames.ts)
// on the workbench. A small autopilot inside the page selects the largest face as soon as its box is
// drawn and presses Search as soon as it can be pressed, so no Playwright round trip is counted.
//   drop→boxes        the drop event until the first animation frame that shows the face boxes
//   drop→analysed     … until the selected face is measured (Search can be pressed)
//   drop→candidates   … until the first candidate card of the results page is on screen
// Stages inside come from the app's own performance.measure entries (vision:* from the worker's timing
// channel, probe:* from the workbench), where the build has them.
// Without --url it starts the app itself (`npm start`: build if the sources changed) on a throw-away data
// folder with a 12-person LFW demo watch-list (`npm run demo:lfw`), and stops it at the end.

const root = resolve(import.meta.dirname, '../..');
const benchPassword = 'bench-demo-password-not-for-production';

type RunTimes = Record<string, number>;

type FrameResult = {
  frame: string;
  runs: RunTimes[];
  faces: { facePx: number; found: boolean; boxPx: number | null }[];
  errors: string[];
};

async function waitForHealth(origin: string, timeoutMs: number, server: ChildProcess | null): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server && server.exitCode !== null) throw new Error(`the app exited (code ${server.exitCode}) before it answered /api/health`);
    try {
      const response = await fetch(`${origin}/api/health`);
      if (response.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`${origin}/api/health did not answer within ${Math.round(timeoutMs / 1000)} s`);
}

async function startApp(port: number): Promise<{ origin: string; password: string; stop: () => Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-page-'));
  const env = { ...process.env, DATA_DIR: dataDir, RFR_DEMO_PASSWORD: benchPassword, PORT: String(port), NEXT_TELEMETRY_DISABLED: '1' };
  console.error(`[bench page] enrolling a 12-person LFW demo watch-list into ${dataDir} …`);
  const enrolled = spawnSync(process.execPath, ['--conditions=react-server', '--import', 'tsx', 'scripts/demo-lfw.ts', '--people', '12'], {
    cwd: root,
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (enrolled.status !== 0) throw new Error(`npm run demo:lfw failed (exit ${enrolled.status})`);
  console.error(`[bench page] starting the app on port ${port} (builds first if the sources changed) …`);
  const server = spawn(process.execPath, ['scripts/start.mjs'], { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'], detached: true });
  const origin = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (server.exitCode === null && server.pid) {
      process.kill(-server.pid, 'SIGTERM');
      await new Promise((r) => server.once('exit', r));
    }
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    await waitForHealth(origin, 20 * 60_000, server);
  } catch (error) {
    await stop();
    throw error;
  }
  return { origin, password: benchPassword, stop };
}

/**
 * Runs inside the page. Drops the file on the workbench and follows it to the candidates, one animation
 * frame at a time; resolves with the milestones in page milliseconds since the drop.
 */
function dropAndFollow(args: { b64: string; name: string; type: string; isSearching: boolean; timeoutMs: number }) {
  const bin = atob(args.b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const file = new File([bytes], args.name, { type: args.type });
  const zone = document.querySelector('label.dropzone');
  if (!zone) return Promise.resolve({ error: 'no drop zone on the page' } as Record<string, unknown>);
  const transfer = new DataTransfer();
  transfer.items.add(file);
  performance.clearMeasures();
  const t0 = performance.now();
  zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  const at: Record<string, number> = {};
  return new Promise<Record<string, unknown>>((done) => {
    const finish = (extra: Record<string, unknown> = {}) => {
      const measures = performance
        .getEntriesByType('measure')
        .filter((m) => m.name.startsWith('vision:') || m.name.startsWith('probe:'))
        .map((m) => ({ name: m.name, start: m.startTime - t0, duration: m.duration }));
      const boxes = [...document.querySelectorAll<HTMLElement>('button[aria-label^="Face "]')].map((b) => b.getAttribute('aria-label'));
      done({ at, measures, boxes, ...extra });
    };
    const tick = () => {
      const now = performance.now() - t0;
      const problem = document.querySelector('[data-testid="vision-problem"], form [role="alert"]');
      if (problem) return finish({ error: problem.textContent });
      if (at.boxes === undefined && document.querySelector('button[aria-label^="Face "]')) at.boxes = now;
      if (at.boxes !== undefined && !args.isSearching) return finish();
      if (at.boxes !== undefined && at.analysed === undefined) {
        const cards = [...document.querySelectorAll<HTMLButtonElement>('[data-testid="face-cards"] > button')];
        if (cards.length > 0 && !cards.some((c) => c.getAttribute('aria-pressed') === 'true')) cards[0]!.click();
        const submit = [...document.querySelectorAll<HTMLButtonElement>('form button[type="submit"]')].find((b) => b.textContent?.trim() === 'Search');
        if (submit && !submit.disabled) {
          at.analysed = now;
          const reason = document.querySelector<HTMLTextAreaElement>('textarea[name="qualityOverrideReason"]');
          if (reason) reason.value = 'Benchmark run: the only still of the incident.';
          submit.click();
          at.pressed = performance.now() - t0;
        }
      }
      // The results page opens on the review bench (blind review) or the candidate gallery.
      if (at.pressed !== undefined && document.querySelector('[data-testid="review-bench"] img, [data-testid="candidate"], [data-testid="bench-empty"]')) {
        at.candidates = now;
        return finish();
      }
      if (at.pressed !== undefined && at.results === undefined && [...document.querySelectorAll('h1')].some((h) => h.textContent === 'Search results')) at.results = now;
      if (at.results !== undefined && now - at.results > 5000) return finish({ error: 'the results page showed no candidates (is a watch-list with faces chosen?)' });
      if (now > args.timeoutMs) return finish({ error: `timed out after ${args.timeoutMs} ms` });
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

function summarise(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const pick = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return { median: Math.round(pick(0.5)), p90: Math.round(pick(0.9)), n: sorted.length };
}

export async function run(argv: string[]): Promise<void> {
  const commandLine = parseCommandLine(argv, {
    name: 'bench page',
    usage:
      'usage: npm run bench -- page [--runs 5] [--frame 1280x720|1920x1080] [--url ORIGIN [--email E --password P]] [--port 3190] [--no-search] [--json]\n' +
      '  --url       time an app that is already running (it needs a watch-list with faces for the candidates) instead of starting one\n' +
      '  --no-search stop at the boxes (drop→boxes only)',
    options: {
      runs: { type: 'string' },
      frame: { type: 'string' },
      url: { type: 'string' },
      email: { type: 'string' },
      password: { type: 'string' },
      port: { type: 'string' },
      'no-search': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const flags = commandLine.values;
  const runs = commandLine.integer('runs', { min: 1, fallback: 5 });
  const port = commandLine.integer('port', { min: 1, max: 65535, fallback: 3190 });
  const specs = realFrameSpecs.filter((s) => !flags.frame || s.name === flags.frame);
  if (specs.length === 0) commandLine.fail(`unknown frame ${JSON.stringify(flags.frame)}; choose ${realFrameSpecs.map((s) => s.name).join(' or ')}`);
  if (!hasLfwImages) {
    console.log(`bench page: ${lfwAbsentMessage}.`);
    return;
  }
  const frames = await Promise.all(specs.map((s) => buildRealFrame(s)));
  const load = loadavg()[0]!.toFixed(2);

  const app = flags.url
    ? { origin: flags.url.replace(/\/$/, ''), password: flags.password ?? process.env.RFR_DEMO_PASSWORD ?? 'e2e-demo-password-not-for-production', stop: async () => {} }
    : await startApp(port);
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
  const results: FrameResult[] = [];
  let backend = '';
  let isIsolated = false;
  try {
    const context = await browser.newContext({ baseURL: app.origin });
    // tsx compiles this file keeping function names (`__name(fn, "name")`); the page has no such helper.
    await context.addInitScript('globalThis.__name = (fn) => fn;');
    const page = await context.newPage();
    page.on('pageerror', (e) => process.stderr.write(`[browser] ${e.message}\n`));
    await page.goto('/sign-in');
    await page.getByLabel('E-mail').fill(flags.email ?? 'investigator@demo.local');
    await page.getByLabel('Password').fill(app.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/cases$/, { timeout: 60_000 });
    await page.getByLabel('Case reference').fill(`BENCH-${Date.now()}`);
    await page.getByLabel('Offence').fill('Benchmark');
    await page.getByLabel('Purpose of the search').fill('Timing the workbench on CCTV-sized stills');
    await page.getByLabel('Legal basis').fill('Benchmark only');
    await page.getByRole('button', { name: 'Open case' }).click();
    await page.getByRole('heading', { name: 'New search from a still' }).waitFor({ timeout: 60_000 });
    const caseUrl = page.url();

    for (const frame of frames) {
      const result: FrameResult = { frame: frame.name, runs: [], faces: [], errors: [] };
      const b64 = Buffer.from(frame.bytes).toString('base64');
      for (let r = 0; r < runs; r++) {
        const loadStarted = Date.now();
        await page.goto(caseUrl);
        const status = page.getByTestId('vision-backend');
        await status.filter({ hasText: /wasm|webgpu/ }).waitFor({ timeout: 180_000 });
        const readyMs = Date.now() - loadStarted;
        backend = ((await status.textContent()) ?? '').replace('Face analysis:', '').trim();
        isIsolated = await page.evaluate(() => crossOriginIsolated);
        const outcome = (await page.evaluate(dropAndFollow, { b64, name: `cctv-${frame.name}.jpg`, type: frame.mimeType, isSearching: !flags['no-search'], timeoutMs: 120_000 })) as {
          at?: Record<string, number>;
          measures?: { name: string; start: number; duration: number }[];
          boxes?: string[];
          error?: string;
        };
        if (outcome.error) result.errors.push(`run ${r + 1}: ${outcome.error}`);
        const times: RunTimes = { 'page load→worker ready': readyMs };
        for (const [name, value] of Object.entries(outcome.at ?? {})) times[`drop→${name}`] = value;
        for (const m of outcome.measures ?? []) times[m.name] = (times[m.name] ?? 0) + m.duration;
        result.runs.push(times);
      }
      // Which pasted faces were found: read from the workbench's own boxes on one more drop, without searching.
      result.faces = await facesFoundOnPage(page, caseUrl, b64, frame);
      results.push(result);
    }
  } finally {
    await browser.close();
    await app.stop();
  }

  const report = {
    bench: 'page',
    origin: flags.url ?? '(started by the bench)',
    backend,
    crossOriginIsolated: isIsolated,
    runs,
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', loadAverage1m: load, node: process.version },
    frames: results.map((r) => {
      const keys = [...new Set(r.runs.flatMap((t) => Object.keys(t)))];
      return {
        frame: r.frame,
        pastedFaces: r.faces,
        errors: r.errors,
        stages: Object.fromEntries(keys.map((k) => [k, summarise(r.runs.map((t) => t[k]).filter((v): v is number => v !== undefined))])),
      };
    }),
  };
  printTable(report);
  if (flags.json) console.log(JSON.stringify(report));
}

async function facesFoundOnPage(page: import('playwright-core').Page, caseUrl: string, b64: string, frame: Awaited<ReturnType<typeof buildRealFrame>>) {
  await page.goto(caseUrl);
  await page.getByTestId('vision-backend').filter({ hasText: /wasm|webgpu/ }).waitFor({ timeout: 180_000 });
  await page.evaluate(dropAndFollow, { b64, name: `cctv-${frame.name}.jpg`, type: frame.mimeType, isSearching: false, timeoutMs: 120_000 });
  // The overlay places each box in percent of the working image, which is the still itself at these sizes.
  const boxes = await page.locator('[data-testid="face-overlay"] button[aria-label^="Face "]').evaluateAll((buttons) =>
    buttons.map((b) => {
      const style = (b as HTMLElement).style;
      return { x: parseFloat(style.left), y: parseFloat(style.top), width: parseFloat(style.width), height: parseFloat(style.height) };
    }),
  );
  return matchPastedFaces(
    frame,
    boxes.map((b) => ({ x: (b.x * frame.width) / 100, y: (b.y * frame.height) / 100, width: (b.width * frame.width) / 100, height: (b.height * frame.height) / 100 })),
  );
}

function printTable(report: { backend: string; crossOriginIsolated: boolean; machine: { loadAverage1m: string }; frames: { frame: string; pastedFaces: { facePx: number; found: boolean; boxPx: number | null }[]; errors: string[]; stages: Record<string, { median: number; p90: number; n: number }> }[] }) {
  console.log(`bench page · backend ${report.backend} · crossOriginIsolated ${report.crossOriginIsolated} · load ${report.machine.loadAverage1m} at the start`);
  for (const f of report.frames) {
    console.log(`\n${f.frame}  pasted faces: ${f.pastedFaces.map((p) => `${p.facePx} px ${p.found ? `found (${p.boxPx} px box)` : 'MISSED'}`).join(', ')}`);
    console.log(`${'stage'.padEnd(34)} ${'median ms'.padStart(10)} ${'p90 ms'.padStart(8)} ${'n'.padStart(3)}`);
    const order = (k: string) => (k.startsWith('drop→') ? 2 : k.startsWith('page') ? 0 : 1);
    for (const [name, s] of Object.entries(f.stages).sort((a, b) => order(a[0]) - order(b[0]))) {
      console.log(`${name.padEnd(34)} ${String(s.median).padStart(10)} ${String(s.p90).padStart(8)} ${String(s.n).padStart(3)}`);
    }
    for (const e of f.errors) console.log(`  error: ${e}`);
  }
}
