// `npm run reconcile [-- --json]`: applies retention, then compares the database with the vector index
// and repairs the index.
import { getConfig } from '@/lib/server/config';
import { embeddedDatabaseDir, openDatabase } from '@/lib/server/db/database';
import { reconcileVectorIndex } from '@/lib/server/gallery/reconcile-index';
import { syncVectorIndex } from '@/lib/server/gallery/sync-vector-index';
import { expireFaces } from '@/lib/server/retention/expire-faces';
import { cropStoreFor } from '@/lib/server/storage/crop-store';
import { closeVectorIndex, getVectorIndex } from '@/lib/server/vector/get-vector-index';
import { parseCommandLine } from './support/parse-args';

const { values: flags } = parseCommandLine(process.argv.slice(2), {
  name: 'reconcile',
  usage: 'usage: npm run reconcile [-- --json]',
  options: { json: { type: 'boolean', default: false } },
});

const config = getConfig();
const database = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: embeddedDatabaseDir(config.dataDir) });
const index = getVectorIndex();
let exitCode = 0;
try {
  // Retention first, so expired faces are erased rather than "repaired" back into the index.
  const expired = await expireFaces(database.prisma);
  if (expired) console.log(`retention: ${expired} faces past their watch-list's retention period marked for erasure`);
  await syncVectorIndex(database.prisma, index, cropStoreFor(config.dataDir)).catch((error: unknown) => {
    console.error(`sync before reconcile failed (${(error as Error).message}); reconciling anyway`);
  });
  const reports = await reconcileVectorIndex(database.prisma, index);
  if (reports.length === 0) console.log('reconcile: no enrolled faces; nothing to compare');
  for (const report of reports) {
    const fixed = report.reinserted + report.removed + report.statesCorrected;
    console.log(
      `reconcile ${report.modelId} (${index.engine}): database ${report.expected} faces, index ${report.indexedBefore} → ${report.indexedAfter}; ` +
        (fixed ? `re-inserted ${report.reinserted}, removed ${report.removed} strays, corrected ${report.statesCorrected} states` : 'in agreement'),
    );
    if (report.indexedAfter !== report.expected) {
      console.error(`reconcile ${report.modelId}: the index still disagrees with the database`);
      exitCode = 1;
    }
  }
  if (flags.json) console.log(JSON.stringify(reports));
} finally {
  await closeVectorIndex();
  await database.close();
}
process.exit(exitCode);
