// `npm start [-- --dev] [-- --demo]`: build if the sources changed since the last build, prepare the
// data store (private data folder, migrations, demo users on the embedded store or with --demo), then
// serve on 127.0.0.1:$PORT (default 3000).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

// Whatever the shell's umask, nothing this process or the server it starts creates (the data folder,
// crops, vector files, PGlite's files, keys) is readable by other local users.
process.umask(0o077);

const root = resolve(import.meta.dirname, '..');
let flags;
try {
  ({ values: flags } = parseArgs({
    options: { dev: { type: 'boolean', default: false }, demo: { type: 'boolean', default: false } },
    strict: true,
  }));
} catch (error) {
  // An unknown flag is refused with one line and the usage, like every other entry point in scripts/.
  console.error(`start: ${error.message.split('\n')[0]}`);
  console.error('usage: npm start [-- --dev] [-- --demo]');
  process.exit(2);
}
const isDev = flags.dev;
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };
const dataDir = resolve(root, env.DATA_DIR || './data');
const port = env.PORT || '3000';
const host = env.HOST || '127.0.0.1';

function run(command, args, extraEnv = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...env, ...extraEnv } });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

function newestSourceMtime() {
  let newest = 0;
  const visit = (path) => {
    const info = statSync(path);
    if (info.isDirectory()) {
      for (const name of readdirSync(path)) if (name !== 'generated') visit(join(path, name));
    } else newest = Math.max(newest, info.mtimeMs);
  };
  for (const entry of ['app', 'components', 'lib', 'proxy.ts', 'next.config.js', 'package.json', 'public/models/manifest.json']) {
    if (existsSync(join(root, entry))) visit(join(root, entry));
  }
  return newest;
}

if (!isDev) {
  const buildId = join(root, '.next', 'BUILD_ID');
  if (!existsSync(buildId) || statSync(buildId).mtimeMs < newestSourceMtime()) {
    console.log('[start] building the app (first start or sources changed)…');
    run(process.execPath, [join(root, 'node_modules/next/dist/bin/next'), 'build']);
  }
}

run(process.execPath, ['--conditions=react-server', '--import', 'tsx', join(root, 'scripts/prepare-store.ts'), ...(flags.demo ? ['--demo'] : [])], {
  DATA_DIR: dataDir,
});

const authSecret = env.AUTH_SECRET || readFileSync(join(dataDir, 'auth-secret'), 'utf8').trim();
console.log(`[start] serving on http://${host}:${port}`);
// The server never holds the migration (owner) role's credentials: only prepare-store needed them.
// NEXT_MANUAL_SIG_HANDLE leaves SIGTERM/SIGINT to the app, which writes its last audit records
// (buffered crop views, a final checkpoint) before it exits (lib/server/audit/audit-jobs.ts).
const { DATABASE_MIGRATION_URL: _ownerUrl, ...serverEnv } = env;
const server = spawn(
  process.execPath,
  [join(root, 'node_modules/next/dist/bin/next'), isDev ? 'dev' : 'start', '-H', host, '-p', port],
  {
    cwd: root,
    stdio: 'inherit',
    env: { ...serverEnv, DATA_DIR: dataDir, AUTH_SECRET: authSecret, AUTH_TRUST_HOST: 'true', NEXT_MANUAL_SIG_HANDLE: '1' },
  },
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code) => process.exit(code ?? 0));
