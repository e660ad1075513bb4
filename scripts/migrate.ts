// `npm run db:migrate`: applies pending SQL migrations to the configured database.
import { getConfig } from '@/lib/server/config';
import { embeddedDatabaseDir, openDatabase } from '@/lib/server/db/database';

const config = getConfig();
const database = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: embeddedDatabaseDir(config.dataDir) });
const { applied, alreadyApplied } = database.migrations;
console.log(`${database.driver.engine}: applied ${applied.length} (${applied.join(', ') || 'none'}), ${alreadyApplied.length} already applied`);
await database.close();
