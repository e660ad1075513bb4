import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { recordAuditEvent } from '@/lib/server/audit/append-audit-event';
import { openDatabase } from '@/lib/server/db/database';

const run = promisify(execFile);
const dataDir = mkdtempSync(join(tmpdir(), 'rfr-audit-cli-'));
const pgliteDir = join(dataDir, 'db');

async function auditVerify(): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run('npm', ['run', '--silent', 'audit:verify'], { env: { ...process.env, DATA_DIR: dataDir } });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('npm run audit:verify', () => {
  it('passes on an intact chain and fails, naming the event, after a direct edit of a row', async () => {
    const database = await openDatabase({ pgliteDir });
    for (let index = 0; index < 4; index += 1) {
      await recordAuditEvent(database.prisma, { actorId: null, actorRole: 'system', action: 'cli.test', outcome: 'success', payload: { index } });
    }
    await database.close();

    const intact = await auditVerify();
    expect(intact.code).toBe(0);
    expect(intact.output).toMatch(/intact: 4 events/);

    const tampering = await openDatabase({ pgliteDir });
    await tampering.driver.exec(`ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only`);
    await tampering.driver.exec(`UPDATE audit_events SET outcome = 'refused' WHERE sequence = 2`);
    await tampering.close();

    const broken = await auditVerify();
    expect(broken.code).not.toBe(0);
    expect(broken.output).toMatch(/BROKEN at event 2/);
  });
});
