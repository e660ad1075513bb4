// `npm run audit:verify [-- --incremental] [-- --public-key FILE]`: walks the audit hash chain and
// checks it against the signed checkpoints in DATA_DIR/audit-anchors.jsonl; exit 1 at the first
// broken link, or when checkpointed events are missing. Full by default; --incremental starts from the
// checkpoint the last successful run reached. --public-key verifies the checkpoints with a copy of the
// public key kept elsewhere rather than the data folder's own.
import { readFileSync } from 'node:fs';
import { getConfig } from '@/lib/server/config';
import { embeddedDatabaseDir, openDatabase } from '@/lib/server/db/database';
import { verifyAuditLog } from '@/lib/server/audit/verify-audit-log';
import { parseCommandLine } from './support/parse-args';

const { values: flags } = parseCommandLine(process.argv.slice(2), {
  name: 'audit:verify',
  usage: 'usage: npm run audit:verify [-- [--incremental] [--public-key FILE]]',
  options: { incremental: { type: 'boolean', default: false }, 'public-key': { type: 'string' } },
});
const publicKeyFile = flags['public-key'];
const config = getConfig();
const database = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: embeddedDatabaseDir(config.dataDir) });
try {
  const started = performance.now();
  const report = await verifyAuditLog(database.prisma, {
    dataDir: config.dataDir,
    mode: flags.incremental ? 'incremental' : 'full',
    ...(publicKeyFile ? { publicKeyPem: readFileSync(publicKeyFile, 'utf8') } : {}),
  });
  const took = `${Math.round(performance.now() - started)} ms`;
  const checkpoint = report.checkpoint ? `latest checkpoint: event ${report.checkpoint.sequence} at ${report.checkpoint.time}` : 'no checkpoint yet (run npm run audit:anchor)';
  if (report.ok) {
    console.log(`audit chain intact: ${report.events} events verified (${report.mode}, from event ${report.fromSequence}), head ${report.headSequence}; ${checkpoint}; ${took}`);
  } else {
    const where = report.brokenAt ? `at event ${report.brokenAt}` : 'in its checkpoints';
    console.error(`audit chain BROKEN ${where}: ${report.reason} (${report.events} events verified before it; ${checkpoint})`);
    process.exitCode = 1;
  }
} finally {
  await database.close();
}
