// `npm run db:migrate`: applies pending SQL migrations to the configured database.
import { getConfig, migrationDatabaseUrl } from '@/lib/server/config';
import { embeddedDatabaseDir, openDatabase } from '@/lib/server/db/database';
import { parseCommandLine } from './support/parse-args';

parseCommandLine(process.argv.slice(2), { name: 'db:migrate', usage: 'usage: npm run db:migrate', options: {} });

const config = getConfig();
const migration = migrationDatabaseUrl(config);
if (migration.isSingleRole) {
  console.warn(
    '[db] WARNING: DATABASE_MIGRATION_URL is not set, so migrations and the app use one PostgreSQL role, which owns the ' +
      'audit table and could disable its append-only trigger. See scripts/create-runtime-role.sql for the two-role set-up.',
  );
}
const database = await openDatabase({ databaseUrl: config.databaseUrl, migrationUrl: migration.url, pgliteDir: embeddedDatabaseDir(config.dataDir) });
const { applied, alreadyApplied } = database.migrations;
console.log(`${database.driver.engine}: applied ${applied.length} (${applied.join(', ') || 'none'}), ${alreadyApplied.length} already applied`);
await database.close();
