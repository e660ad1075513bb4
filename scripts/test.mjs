// `npm test`: the linter, then every test the project has — unit, integration (PGlite and PostgreSQL)
// and end-to-end in a real Chromium. Installs nothing silently: a missing browser is installed from Debian when
// running as root, otherwise the run stops and says how.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' };

function run(label, command, args, extraEnv = {}) {
  console.log(`\n[test] ${label}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...env, ...extraEnv } });
  return result.status === 0;
}

function ensureChromium() {
  if (existsSync(chromium)) return;
  if (process.getuid?.() !== 0) {
    console.error(`[test] ${chromium} is missing. Install Debian's Chromium first:\n    sudo apt-get install -y chromium\n(or set CHROMIUM_PATH to a Chromium binary).`);
    process.exit(1);
  }
  console.log('[test] installing Debian chromium for the browser tests (apt-get install -y chromium)…');
  const ok =
    run('apt-get update', 'apt-get', ['update', '-qq']) &&
    run('apt-get install', 'apt-get', ['install', '-y', '-qq', 'chromium'], { DEBIAN_FRONTEND: 'noninteractive' });
  if (!ok || !existsSync(chromium)) {
    console.error('[test] could not install chromium');
    process.exit(1);
  }
}

// The disclosure-pack tests read the PDFs back with poppler (pdftotext, pdftoppm).
function ensurePoppler() {
  if (spawnSync('pdftotext', ['-v'], { stdio: 'ignore' }).error === undefined) return;
  if (process.getuid?.() !== 0) {
    console.error('[test] pdftotext is missing. Install Debian\'s poppler-utils first:\n    sudo apt-get install -y poppler-utils');
    process.exit(1);
  }
  console.log('[test] installing Debian poppler-utils for the disclosure-pack tests (apt-get install -y poppler-utils)…');
  const ok =
    run('apt-get update', 'apt-get', ['update', '-qq']) &&
    run('apt-get install', 'apt-get', ['install', '-y', '-qq', 'poppler-utils'], { DEBIAN_FRONTEND: 'noninteractive' });
  if (!ok || spawnSync('pdftotext', ['-v'], { stdio: 'ignore' }).error !== undefined) {
    console.error('[test] could not install poppler-utils');
    process.exit(1);
  }
}

// The clip tests make their MP4 and WebM clips from LFW stills with Debian's ffmpeg (libx264, libvpx).
function ensureFfmpeg() {
  if (spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).error === undefined) return;
  if (process.getuid?.() !== 0) {
    console.error("[test] ffmpeg is missing. Install Debian's ffmpeg first:\n    sudo apt-get install -y ffmpeg");
    process.exit(1);
  }
  console.log('[test] installing Debian ffmpeg for the clip tests (apt-get install -y ffmpeg)…');
  const ok =
    run('apt-get update', 'apt-get', ['update', '-qq']) &&
    run('apt-get install', 'apt-get', ['install', '-y', '-qq', 'ffmpeg'], { DEBIAN_FRONTEND: 'noninteractive' });
  if (!ok || spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).error !== undefined) {
    console.error('[test] could not install ffmpeg');
    process.exit(1);
  }
}

ensureChromium();
ensurePoppler();
ensureFfmpeg();
const bin = (name) => resolve(root, 'node_modules', '.bin', name);
const results = {
  'lint (eslint)': run('lint', bin('eslint'), ['--max-warnings=0', '.']),
  'unit + integration (vitest)': run('unit + integration', bin('vitest'), ['run']),
  'end-to-end (playwright)': run('end-to-end', bin('playwright'), ['test']),
};
console.log('\n[test] summary');
for (const [suite, ok] of Object.entries(results)) console.log(`  ${ok ? 'PASS' : 'FAIL'}  ${suite}`);
process.exit(Object.values(results).every(Boolean) ? 0 : 1);
