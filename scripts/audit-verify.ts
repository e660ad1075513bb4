// `npm run audit:verify`: walks the whole audit hash chain; exit 1 at the first broken link.
import { getConfig } from '@/lib/server/config';
import { embeddedDatabaseDir, openDatabase } from '@/lib/server/db/database';
import { verifyAuditChain } from '@/lib/server/audit/verify-audit-chain';

const config = getConfig();
const database = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: embeddedDatabaseDir(config.dataDir) });
try {
  const report = await verifyAuditChain(database.prisma);
  if (report.ok) {
    console.log(`audit chain intact: ${report.events} events, head ${report.headHash}`);
  } else {
    console.error(`audit chain BROKEN at event ${report.brokenAt}: ${report.reason} (${report.events} events verified before it)`);
    process.exitCode = 1;
  }
} finally {
  await database.close();
}
