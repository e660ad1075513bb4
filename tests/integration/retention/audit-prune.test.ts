import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordAuditEvent } from '@/lib/server/audit/append-audit-event';
import { GENESIS_HASH, hashAuditEvent } from '@/lib/server/audit/audit-hash';
import { verifyAuditChain } from '@/lib/server/audit/verify-audit-chain';
import type { Database } from '@/lib/server/db/database';
import type { PrismaClient } from '@/lib/server/generated/prisma/client';
import { findAuditChainStart, pruneAuditLog } from '@/lib/server/retention/prune-audit-log';
import { canonicalJson } from '@/lib/shared/canonical-json';
import { openMemoryDatabase } from '../../support/test-database';

// Audit retention deletes only a prefix of the hash chain and leaves a marker from which the rest
// verifies. The database itself refuses anything else: updates, truncation, deletions without the
// transaction's permission, and deletions of events less than a year old.

const DAY = 86_400_000;
let database: Database;

/** Writes `count` events dated from `fromDaysAgo` onwards, one a day, chained as append-audit-event does. */
async function writeOldEvents(prisma: PrismaClient, count: number, fromDaysAgo: number): Promise<void> {
  const head = await prisma.auditEvent.findFirst({ orderBy: { sequence: 'desc' }, select: { sequence: true, hash: true } });
  let sequence = head?.sequence ?? 0n;
  let prevHash = head?.hash ?? GENESIS_HASH;
  for (let n = 0; n < count; n += 1) {
    sequence += 1n;
    const payload = JSON.parse(canonicalJson({ n })) as object;
    const fields = { sequence, prevHash, actorId: null, actorRole: 'system', action: 'test.old', outcome: 'success', targetType: null, targetId: null, payload, createdAt: new Date(Date.now() - (fromDaysAgo - n) * DAY) };
    const hash = hashAuditEvent(fields);
    await prisma.auditEvent.create({ data: { ...fields, hash } });
    prevHash = hash;
  }
}

/** The verifier itself: it starts where findAuditChainStart says (the first event kept, after a prune). */
async function verifyFromStart(prisma: PrismaClient): Promise<{ ok: boolean; events?: number }> {
  const report = await verifyAuditChain(prisma);
  return report.ok ? { ok: true, events: report.events } : { ok: false };
}

const event = (action: string) => ({ actorId: null, actorRole: 'system', action, outcome: 'success' as const, payload: {} });

beforeAll(async () => {
  database = await openMemoryDatabase();
  await writeOldEvents(database.prisma, 20, 3 * 365);
  for (let n = 0; n < 5; n += 1) await recordAuditEvent(database.prisma, event('test.recent'));
}, 60_000);
afterAll(async () => database?.close());

describe('the audit log under retention', () => {
  it('is still append-only for everyone else', async () => {
    const { prisma } = database;
    await expect(prisma.auditEvent.deleteMany({ where: { sequence: 1n } })).rejects.toThrow(/append-only/);
    await expect(prisma.auditEvent.updateMany({ where: { sequence: 1n }, data: { action: 'edited' } })).rejects.toThrow(/append-only/);
    await expect(prisma.$executeRawUnsafe('TRUNCATE "audit_events"')).rejects.toThrow(/append-only/);
    // Even with the transaction's permission: nothing less than a year old, and never an update.
    await expect(
      prisma.$transaction(async (tx) => {
        await tx.$executeRaw`SELECT set_config('rfr.audit_prune_through', '25', true)`;
        await tx.auditEvent.deleteMany({ where: { sequence: 25n } });
      }),
    ).rejects.toThrow(/append-only/);
    await expect(
      prisma.$transaction(async (tx) => {
        await tx.$executeRaw`SELECT set_config('rfr.audit_prune_through', '25', true)`;
        await tx.auditEvent.updateMany({ where: { sequence: 1n }, data: { action: 'edited' } });
      }),
    ).rejects.toThrow(/append-only/);
    expect(await prisma.auditEvent.count()).toBe(25);
    expect(await verifyFromStart(prisma)).toEqual({ ok: true, events: 25 });
  });

  it('stops at the day the oldest case under legal hold was opened', async () => {
    const { prisma } = database;
    const admin = await prisma.user.create({ data: { email: 'a@prune', displayName: 'A', role: 'admin', passwordHash: 'x' } });
    const team = await prisma.team.create({ data: { name: 'Prune team' } });
    // Event n is dated 3×365 − n days ago; a case opened 3×365 − 10.5 days ago keeps events 11 onwards.
    const kase = await prisma.case.create({
      data: {
        reference: 'P/1', teamId: team.id, offence: 'x', purpose: 'x', legalBasis: 'x', openedById: admin.id,
        openedAt: new Date(Date.now() - (3 * 365 - 10.5) * DAY), legalHoldAt: new Date(), legalHoldReason: 'Inquiry',
      },
    });
    const pruned = await pruneAuditLog(prisma, { olderThan: new Date(Date.now() - 400 * DAY), now: new Date(), batchSize: 4 });
    expect(pruned).toBe(11);
    const first = await prisma.auditEvent.findFirstOrThrow({ orderBy: { sequence: 'asc' } });
    expect(first.sequence).toBe(12n);
    expect(await verifyFromStart(prisma)).toMatchObject({ ok: true });
    await prisma.case.update({ where: { id: kase.id }, data: { legalHoldAt: null, legalHoldReason: null } });
  });

  it('prunes the rest of the old prefix in batches, each with a marker the chain verifies from', async () => {
    const { prisma } = database;
    const pruned = await pruneAuditLog(prisma, { olderThan: new Date(Date.now() - 400 * DAY), now: new Date(), batchSize: 4 });
    expect(pruned).toBe(9);
    const first = await prisma.auditEvent.findFirstOrThrow({ orderBy: { sequence: 'asc' } });
    expect(first.sequence).toBe(21n);
    const markers = await prisma.auditEvent.findMany({ where: { action: 'audit.prune' }, orderBy: { sequence: 'asc' } });
    // Three batches of at most four for events 1–11, then three for 12–20.
    expect(markers.map((marker) => (marker.payload as { prunedThrough: string }).prunedThrough)).toEqual(['4', '8', '11', '15', '19', '20']);
    expect(markers.at(-1)!.payload).toMatchObject({ prunedThrough: '20', prunedThroughHash: first.prevHash });
    expect(await findAuditChainStart(prisma)).toEqual({ ok: true, sequence: 21n, prevHash: first.prevHash, prunedThrough: 20n });
    expect(await verifyFromStart(prisma)).toMatchObject({ ok: true });
    // Nothing recent goes, and a second prune finds nothing to do.
    expect(await prisma.auditEvent.count({ where: { action: 'test.recent' } })).toBe(5);
    expect(await pruneAuditLog(prisma, { olderThan: new Date(Date.now() - 400 * DAY), now: new Date(), batchSize: 4 })).toBe(0);
  });

  it('still reports a broken chain when events go missing outside a recorded prune', async () => {
    const { prisma } = database;
    // As a superuser would: bypass the trigger and delete the first event kept.
    await prisma.$executeRawUnsafe('ALTER TABLE "audit_events" DISABLE TRIGGER "audit_events_append_only"');
    await prisma.auditEvent.deleteMany({ where: { sequence: 21n } });
    await prisma.$executeRawUnsafe('ALTER TABLE "audit_events" ENABLE TRIGGER "audit_events_append_only"');
    expect(await findAuditChainStart(prisma)).toMatchObject({ ok: false, sequence: 22n });
    expect(await verifyAuditChain(prisma)).toMatchObject({ ok: false, brokenAt: 1n });
  });
});
