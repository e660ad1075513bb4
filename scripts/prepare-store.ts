// Brings the data store up to date before the server starts: applies migrations and, on an empty
// database, seeds one demo user per role and prints their passwords (this once only).
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { getConfig } from '@/lib/server/config';
import { embeddedDatabaseDir, openDatabase } from '@/lib/server/db/database';
import { seedDemoUsers } from '@/lib/server/seed/seed-demo-users';

const config = getConfig();
mkdirSync(config.dataDir, { recursive: true });

const started = Date.now();
const database = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: embeddedDatabaseDir(config.dataDir) });
try {
  const { applied } = database.migrations;
  console.log(
    `[prepare] ${database.driver.engine} ready in ${Date.now() - started} ms` +
      (applied.length ? `; applied ${applied.join(', ')}` : '; schema up to date'),
  );
  const seeded = await seedDemoUsers(database.prisma, { password: process.env.RFR_DEMO_PASSWORD || undefined });
  if (seeded.length) {
    console.log('\n[prepare] Demo users created. These passwords are shown once and not stored:');
    for (const user of seeded) console.log(`    ${user.role.padEnd(13)} ${user.email.padEnd(26)} ${user.password}`);
    console.log('');
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
  const fd = openSync(path, 'w', 0o600);
  writeSync(fd, randomBytes(32).toString('base64url'));
  closeSync(fd);
}
