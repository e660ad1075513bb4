// `npm run retention [-- --json]`: the retention job, the same one the server runs every hour. Deletes
// what has expired under the retention policy and the watch-lists' retention periods from the database,
// the crop store and the vector index; every deletion is in the audit log. Safe to interrupt and rerun.
// With the embedded store, stop the server first (PGlite serves one process).
import { getConfig } from '@/lib/server/config';
import { embeddedDatabaseDir, openDatabase } from '@/lib/server/db/database';
import { readRetentionPolicy } from '@/lib/server/retention/retention-policy';
import { hasChanges, runRetention } from '@/lib/server/retention/run-retention';
import { cropStoreFor } from '@/lib/server/storage/crop-store';
import { packStoreFor } from '@/lib/server/storage/pack-store';
import { closeVectorIndex, getVectorIndex } from '@/lib/server/vector/get-vector-index';
import { parseCommandLine } from './support/parse-args';

const isJson = parseCommandLine(process.argv.slice(2), {
  name: 'retention',
  usage: 'usage: npm run retention [-- --json]',
  options: { json: { type: 'boolean', default: false } },
}).values.json;
const config = getConfig();
const database = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: embeddedDatabaseDir(config.dataDir) });
const started = performance.now();
try {
  const policy = await readRetentionPolicy(database.prisma);
  const report = await runRetention({
    prisma: database.prisma,
    index: getVectorIndex(),
    crops: cropStoreFor(config.dataDir),
    packs: packStoreFor(config.dataDir),
    policy,
    onProgress: ({ step, ids }) => {
      if (isJson) console.log(JSON.stringify({ progress: step, count: ids.length }));
    },
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (isJson) {
    console.log(JSON.stringify({ ...report, seconds: Number(seconds) }));
  } else {
    const kept = (days: number | null) => (days === null ? 'for ever' : `${days} days`);
    console.log(
      `retention policy: probes ${kept(policy.probeDays)}, no-lead searches ${kept(policy.searchDays)}, ` +
        `closed cases ${kept(policy.closedCaseDays)}, audit events ${kept(policy.auditDays)}; cases under legal hold keep everything`,
    );
    if (!hasChanges(report)) console.log(`retention: nothing has expired (${seconds} s)`);
    else {
      for (const [name, count] of Object.entries(report)) if (count > 0) console.log(`  ${name}: ${count}`);
      console.log(`retention: done in ${seconds} s`);
    }
  }
} finally {
  await closeVectorIndex();
  await database.close();
}
