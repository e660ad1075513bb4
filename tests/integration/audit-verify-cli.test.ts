import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { recordAuditEvent } from '@/lib/server/audit/append-audit-event';
import { verifyAuditChain } from '@/lib/server/audit/verify-audit-chain';
import { openDatabase } from '@/lib/server/db/database';

const run = promisify(execFile);
const dataDir = mkdtempSync(join(tmpdir(), 'rfr-audit-cli-'));
const pgliteDir = join(dataDir, 'db');

async function auditVerify(script = 'audit:verify', args: string[] = [], dir = dataDir): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run('npm', ['run', '--silent', script, ...(args.length ? ['--', ...args] : [])], { env: { ...process.env, DATA_DIR: dir } });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

const anchoredDir = mkdtempSync(join(tmpdir(), 'rfr-audit-anchor-cli-'));
afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(anchoredDir, { recursive: true, force: true });
});

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

  it('after npm run audit:anchor, reports the newest events deleted (trigger disabled, last 5 rows deleted)', async () => {
    const pglite = join(anchoredDir, 'db');
    const database = await openDatabase({ pgliteDir: pglite });
    for (let index = 0; index < 12; index += 1) {
      await recordAuditEvent(database.prisma, { actorId: null, actorRole: 'system', action: 'cli.test', outcome: 'success', payload: { index } });
    }
    await database.close();

    const anchored = await auditVerify('audit:anchor', [], anchoredDir);
    expect(anchored.code).toBe(0);
    expect(anchored.output).toMatch(/checkpoint written: event 12/);
    const intact = await auditVerify('audit:verify', [], anchoredDir);
    expect(intact.code).toBe(0);
    expect(intact.output).toMatch(/intact: 12 events verified.*latest checkpoint: event 12/);

    const tampering = await openDatabase({ pgliteDir: pglite });
    await tampering.driver.exec(`ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only`);
    await tampering.driver.exec(`DELETE FROM audit_events WHERE sequence > (SELECT max(sequence) - 5 FROM audit_events)`);
    await tampering.driver.exec(`ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only`);
    // Without the checkpoint the remaining chain (events 1–7) would look intact.
    expect(await verifyAuditChain(tampering.prisma)).toMatchObject({ ok: true, events: 7 });
    await tampering.close();

    const broken = await auditVerify('audit:verify', [], anchoredDir);
    expect(broken.code).toBe(1);
    expect(broken.output).toMatch(/BROKEN at event 8: the newest events were deleted: the checkpoint of \S+ vouches for event 12, but the log ends at event 7/);
    const incremental = await auditVerify('audit:verify', ['--incremental'], anchoredDir);
    expect(incremental.code).toBe(1);
    expect(incremental.output).toMatch(/BROKEN at event 12: event 12, vouched for by a signed checkpoint, is missing: the log ends at event 7/);
  });
});
