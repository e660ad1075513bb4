// `npm run pack:verify -- FILE`: recomputes a disclosure pack's SHA-256 and finds the approval's audit
// event that recorded it. Prints both; exit 1 when no approval records this file (altered, or not a
// pack this installation issued). The chain that event sits in is checked by `npm run audit:verify`.
import { readFile } from 'node:fs/promises';
import { getConfig } from '@/lib/server/config';
import { embeddedDatabaseDir, openDatabase } from '@/lib/server/db/database';
import { verifyPackFile } from '@/lib/server/disclosure/verify-pack';
import { parseCommandLine } from './support/parse-args';

const commandLine = parseCommandLine(process.argv.slice(2), {
  name: 'pack:verify',
  usage: 'usage: npm run pack:verify -- FILE.pdf',
  options: {},
  positionals: { min: 1, max: 1 },
});
const file = commandLine.positionals[0]!;
const bytes = await readFile(file).catch((error: Error) => {
  console.error(`cannot read ${file}: ${error.message}`);
  process.exit(2);
});
const config = getConfig();
const database = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: embeddedDatabaseDir(config.dataDir) });
try {
  const report = await verifyPackFile(database.prisma, bytes);
  console.log(`file      ${file} (${report.bytes} bytes)`);
  console.log(`sha256    ${report.sha256}`);
  if (report.approval) {
    const { approval } = report;
    console.log(
      `approval  audit event #${approval.sequence} ${approval.hash}, ${approval.createdAt.toISOString()} by ${approval.actorName ?? 'unknown'}; disclosure ${approval.disclosureId ?? '—'}, case ${approval.caseReference ?? '—'}`,
    );
    console.log('OK: this file is the disclosure pack the approval recorded (check the chain itself with npm run audit:verify).');
  } else {
    console.error('approval  NOT FOUND: no approval event records this SHA-256. The file was altered, or is not a pack this installation issued.');
    process.exitCode = 1;
  }
} finally {
  await database.close();
}
