// `npm run audit:anchor`: signs the audit chain's current head and appends the checkpoint to
// DATA_DIR/audit-anchors.jsonl (the server also does this every 10 minutes and at shutdown). The
// Ed25519 key is DATA_DIR/audit-anchor-key.pem, made on first use; its public half is next to it.
import { join } from 'node:path';
import { getConfig } from '@/lib/server/config';
import { embeddedDatabaseDir, openDatabase } from '@/lib/server/db/database';
import { ANCHOR_FILE, ANCHOR_PUBLIC_KEY_FILE, writeAuditAnchor } from '@/lib/server/audit/audit-anchor';
import { parseCommandLine } from './support/parse-args';

parseCommandLine(process.argv.slice(2), { name: 'audit:anchor', usage: 'usage: npm run audit:anchor', options: {} });

const config = getConfig();
const database = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: embeddedDatabaseDir(config.dataDir) });
try {
  const result = await writeAuditAnchor(database.prisma, { dataDir: config.dataDir });
  if (result.written) {
    console.log(`checkpoint written: event ${result.written.sequence} (${result.written.hash.slice(0, 16)}…) at ${result.written.time} → ${join(config.dataDir, ANCHOR_FILE)}`);
    console.log(`public key: ${join(config.dataDir, ANCHOR_PUBLIC_KEY_FILE)} (keep a copy elsewhere)`);
  } else {
    console.log(result.reason === 'empty' ? 'the audit log is empty: nothing to checkpoint' : 'the head is already checkpointed: nothing written');
  }
} finally {
  await database.close();
}
