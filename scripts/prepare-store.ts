// Brings the data store up to date before the server starts: checks that the data folder is private,
// applies migrations and, on an empty embedded database (or with --demo / RFR_DEMO=1), seeds one demo
// user per role and prints their passwords (this once only).
import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { getConfig, migrationDatabaseUrl } from '@/lib/server/config';
import { embeddedDatabaseDir, openDatabase } from '@/lib/server/db/database';
import { decideDemoSeeding, seedDemoUsers } from '@/lib/server/seed/seed-demo-users';
import { ensurePrivateDataDir, OWNER_ONLY_FILE, restrictFileCreationMask } from '@/lib/server/storage/owner-only';
import { parseCommandLine } from './support/parse-args';

restrictFileCreationMask();
const { values: flags } = parseCommandLine(process.argv.slice(2), {
  name: 'prepare',
  usage: 'usage: node scripts/prepare-store.ts [--demo]   (npm start runs it; --demo seeds the demo users on any database)',
  options: { demo: { type: 'boolean', default: false } },
});
const config = getConfig();
let demo: ReturnType<typeof decideDemoSeeding>;
try {
  demo = decideDemoSeeding({ databaseUrl: config.databaseUrl, isDemoRequested: flags.demo, env: process.env });
  const dataDir = ensurePrivateDataDir(config.dataDir);
  if (dataDir.tightened > 0) console.log(`[prepare] ${config.dataDir}: group and other access removed from ${dataDir.tightened} files and folders`);
} catch (error) {
  // A setting or a folder to put right before anything is opened: the message says how.
  console.error(`[prepare] ${(error as Error).message}`);
  process.exit(1);
}

const migration = migrationDatabaseUrl(config);
if (migration.isSingleRole) {
  console.warn(
    '[db] WARNING: DATABASE_MIGRATION_URL is not set, so migrations and the app use one PostgreSQL role, which owns the ' +
      'audit table and could disable its append-only trigger. See scripts/create-runtime-role.sql for the two-role set-up.',
  );
}
const started = Date.now();
const database = await openDatabase({ databaseUrl: config.databaseUrl, migrationUrl: migration.url, pgliteDir: embeddedDatabaseDir(config.dataDir) });
try {
  const { applied } = database.migrations;
  console.log(
    `[prepare] ${database.driver.engine} ready in ${Date.now() - started} ms` +
      (applied.length ? `; applied ${applied.join(', ')}` : '; schema up to date'),
  );
  const seeded = demo.isEnabled ? await seedDemoUsers(database.prisma, { password: demo.password }) : [];
  if (seeded.length) {
    console.log('\n[prepare] Demo users created. These passwords are shown once and not stored:');
    for (const user of seeded) console.log(`    ${user.role.padEnd(13)} ${user.email.padEnd(26)} ${user.password}`);
    console.log('');
  } else if (!demo.isEnabled && (await database.prisma.user.count()) === 0) {
    console.log(
      `[prepare] No user accounts yet, and no demo users were created (${demo.why}). To create them, start once ` +
        'with `npm start -- --demo` (or RFR_DEMO=1), sign in as admin@demo.local, create the real accounts and disable the demo ones.',
    );
  }
} finally {
  await database.close();
}

ensureAuthSecret(config.dataDir);

// Session cookies are encrypted with this key. Generated once per data folder so that a fresh clone
// needs no setup; production sets AUTH_SECRET instead.
function ensureAuthSecret(dataDir: string): void {
  if (process.env.AUTH_SECRET) return;
  const path = join(dataDir, 'auth-secret');
  if (existsSync(path) && readFileSync(path, 'utf8').trim().length >= 32) return;
  const fd = openSync(path, 'w', OWNER_ONLY_FILE);
  writeSync(fd, randomBytes(32).toString('base64url'));
  closeSync(fd);
}
