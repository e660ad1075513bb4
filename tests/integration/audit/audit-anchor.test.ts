import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordAuditEvent } from '@/lib/server/audit/append-audit-event';
import { ANCHOR_FILE, ANCHOR_PRIVATE_KEY_FILE, ANCHOR_PUBLIC_KEY_FILE, loadAnchorKeys, readAuditAnchors, writeAuditAnchor } from '@/lib/server/audit/audit-anchor';
import { GENESIS_HASH, hashAuditEvent } from '@/lib/server/audit/audit-hash';
import { verifyAuditChain } from '@/lib/server/audit/verify-audit-chain';
import { verifyAuditLog } from '@/lib/server/audit/verify-audit-log';
import type { Database } from '@/lib/server/db/database';
import { pruneAuditLog } from '@/lib/server/retention/prune-audit-log';
import { openMemoryDatabase } from '../../support/test-database';

// Signed checkpoints of the chain's head, kept outside the database: they reveal what the chain alone
// cannot (the newest events deleted, the whole chain recomputed), and let verification start from the
// last checkpoint verified instead of event 1.
let database: Database;
let dataDir: string;

beforeAll(async () => {
  database = await openMemoryDatabase();
  dataDir = mkdtempSync(join(tmpdir(), 'rfr-anchor-'));
});
afterAll(async () => {
  await database?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function addEvents(count: number, tag = 'anchor.test') {
  for (let index = 0; index < count; index += 1) {
    await recordAuditEvent(database.prisma, { actorId: null, actorRole: 'system', action: tag, outcome: 'success', payload: { index } });
  }
}

// What someone with the owner's password could do: change rows with the trigger switched off.
async function tamper(sql: string, on: Database = database) {
  await on.driver.withSession(async (session) => {
    await session.exec('SET session_replication_role = replica');
    await session.exec(sql);
    await session.exec('SET session_replication_role = origin');
  });
}

describe('audit checkpoints', () => {
  it('makes an Ed25519 key on first use, private mode 600, public key exported as PEM', () => {
    const keys = loadAnchorKeys(dataDir);
    expect(statSync(join(dataDir, ANCHOR_PRIVATE_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dataDir, ANCHOR_PUBLIC_KEY_FILE), 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(keys.publicKey.asymmetricKeyType).toBe('ed25519');
    expect(loadAnchorKeys(dataDir).keyId).toBe(keys.keyId);
  });

  it('appends one signed line per new head and nothing for an unchanged head', async () => {
    expect(await writeAuditAnchor(database.prisma, { dataDir })).toEqual({ written: null, reason: 'empty' });
    await addEvents(5);
    const first = await writeAuditAnchor(database.prisma, { dataDir });
    expect(first.written).toMatchObject({ sequence: '5' });
    expect(await writeAuditAnchor(database.prisma, { dataDir })).toEqual({ written: null, reason: 'unchanged' });
    await addEvents(2);
    // Two writers at once (the server's timer and `npm run audit:anchor`): whole lines, both valid.
    await Promise.all([writeAuditAnchor(database.prisma, { dataDir }), writeAuditAnchor(database.prisma, { dataDir })]);
    const file = readAuditAnchors(dataDir, loadAnchorKeys(dataDir).publicKey);
    expect(file.problems).toEqual([]);
    expect(file.anchors.map((anchor) => anchor.sequence).slice(0, 2)).toEqual(['5', '7']);
  });

  it('verifies fully, then incrementally from the last verified checkpoint', async () => {
    const full = await verifyAuditLog(database.prisma, { dataDir, mode: 'full' });
    expect(full).toMatchObject({ ok: true, mode: 'full', events: 7, headSequence: '7', checkpoint: { sequence: '7' } });
    await addEvents(3);
    const incremental = await verifyAuditLog(database.prisma, { dataDir, mode: 'incremental' });
    expect(incremental).toMatchObject({ ok: true, mode: 'incremental', fromSequence: '8', events: 3, headSequence: '10' });
  });

  it('reports the newest events deleted, which the chain alone cannot show', async () => {
    await writeAuditAnchor(database.prisma, { dataDir });
    await tamper('DELETE FROM audit_events WHERE sequence > 8');
    for (const mode of ['full', 'incremental'] as const) {
      const report = await verifyAuditLog(database.prisma, { dataDir, mode });
      expect(report).toMatchObject({ ok: false, reason: expect.stringMatching(/newest events were deleted.*vouches for event 10.*ends at event 8/) });
    }
  });

  it('reports two checkpoints of one event that disagree: the log was cut back and written again', async () => {
    await addEvents(2);
    await writeAuditAnchor(database.prisma, { dataDir });
    expect(await verifyAuditLog(database.prisma, { dataDir, mode: 'full' })).toMatchObject({ ok: false, brokenAt: '10', reason: expect.stringMatching(/two signed checkpoints disagree about event 10/) });
  });

  it('reports a chain recomputed after an edit, which the chain alone cannot show', async () => {
    // A fresh checkpoint file for this case, as if the cut-back above had not happened.
    rmSync(join(dataDir, ANCHOR_FILE));
    rmSync(join(dataDir, 'audit-verified.json'));
    await writeAuditAnchor(database.prisma, { dataDir, now: new Date('2026-12-01T00:00:00Z') });
    await addEvents(2);
    await writeAuditAnchor(database.prisma, { dataDir });
    expect(await verifyAuditLog(database.prisma, { dataDir, mode: 'full' })).toMatchObject({ ok: true, headSequence: '12' });
    // Rewrite event 3 and recompute every hash after it, so that the chain is internally consistent again.
    const rows = await database.prisma.auditEvent.findMany({ orderBy: { sequence: 'asc' } });
    let previous = rows[1]!.hash;
    const statements: string[] = [];
    for (const row of rows.slice(2)) {
      const payload = row.sequence === 3n ? { index: 99 } : row.payload;
      const hash = hashAuditEvent({ ...row, prevHash: previous, payload });
      statements.push(`UPDATE audit_events SET payload = '${JSON.stringify(payload)}', prev_hash = '${previous}', hash = '${hash}' WHERE sequence = ${row.sequence}`);
      previous = hash;
    }
    // Hashes are unique: move the old ones out of the way first.
    await tamper(`UPDATE audit_events SET hash = 'old-' || sequence WHERE sequence >= 3; ${statements.join('; ')}`);
    const report = await verifyAuditLog(database.prisma, { dataDir, mode: 'full' });
    expect(report).toMatchObject({ ok: false, brokenAt: '10', reason: expect.stringMatching(/signed checkpoint/) });
    expect(await verifyAuditLog(database.prisma, { dataDir, mode: 'incremental' })).toMatchObject({ ok: false, reason: expect.stringMatching(/no longer matches its signed checkpoint/) });
  });

  it('refuses a checkpoint file with an edited or forged line', async () => {
    const fresh = mkdtempSync(join(tmpdir(), 'rfr-anchor-forged-'));
    try {
      const other = await openMemoryDatabase();
      try {
        await recordAuditEvent(other.prisma, { actorId: null, actorRole: null, action: 'x', outcome: 'success' });
        await writeAuditAnchor(other.prisma, { dataDir: fresh });
        const path = join(fresh, ANCHOR_FILE);
        const line = JSON.parse(readFileSync(path, 'utf8').trim());
        appendFileSync(path, `${JSON.stringify({ ...line, sequence: '999' })}\n`);
        expect(await verifyAuditLog(other.prisma, { dataDir: fresh, mode: 'full' })).toMatchObject({ ok: false, reason: expect.stringMatching(/checkpoint file 2: the signature does not match/) });
        writeFileSync(path, `${JSON.stringify(line)}\n{"format":"rfr-audit-anc`);
        expect(await verifyAuditLog(other.prisma, { dataDir: fresh, mode: 'full' })).toMatchObject({ ok: false, reason: expect.stringMatching(/checkpoint file 2: not valid JSON/) });
      } finally {
        await other.close();
      }
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });
});

describe('verification of a pruned log', () => {
  it('starts at the first event kept, from the audit.prune marker, and still checks the checkpoints after it', async () => {
    const pruned = await openMemoryDatabase();
    const dir = mkdtempSync(join(tmpdir(), 'rfr-anchor-pruned-'));
    try {
      const { prisma } = pruned;
      // Ten events dated years ago, chained as append-audit-event does, then recent ones.
      let prevHash = GENESIS_HASH;
      for (let n = 1; n <= 10; n += 1) {
        const fields = { sequence: BigInt(n), prevHash, actorId: null, actorRole: 'system', action: 'old.event', outcome: 'success', targetType: null, targetId: null, payload: { n }, createdAt: new Date(Date.now() - (1_000 - n) * 86_400_000) };
        const hash = hashAuditEvent(fields);
        await prisma.auditEvent.create({ data: { ...fields, hash } });
        prevHash = hash;
      }
      await writeAuditAnchor(prisma, { dataDir: dir });
      for (let n = 0; n < 3; n += 1) await recordAuditEvent(prisma, { actorId: null, actorRole: 'system', action: 'recent', outcome: 'success' });
      expect(await pruneAuditLog(prisma, { olderThan: new Date(Date.now() - 400 * 86_400_000), now: new Date(), batchSize: 100 })).toBe(10);
      await writeAuditAnchor(prisma, { dataDir: dir });
      // The checkpoint of event 10 refers to a pruned event: not a break. Events 11–14 are walked.
      expect(await verifyAuditLog(prisma, { dataDir: dir, mode: 'full' })).toMatchObject({ ok: true, events: 4, headSequence: '14' });
      // A missing prefix that no marker accounts for is a break at event 1.
      await tamper('DELETE FROM audit_events WHERE sequence = 11', pruned);
      expect(await verifyAuditChain(prisma)).toMatchObject({ ok: false, brokenAt: 1n, reason: expect.stringMatching(/no audit.prune event accounts for them/) });
    } finally {
      await pruned.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
