import 'server-only';
import type { Db } from '@/lib/server/db/database';
import type { PrismaClient } from '@/lib/server/generated/prisma/client';
import { appendAuditEvent } from '@/lib/server/audit/append-audit-event';
import { GENESIS_HASH } from '@/lib/server/audit/audit-hash';
import { AUDIT_MINIMUM_DAYS } from './retention-policy';

// Audit retention keeps the hash chain verifiable. Only a prefix (the oldest events) is ever deleted,
// and the transaction that deletes it appends an `audit.prune` event recording the last sequence it
// deleted and that event's hash. The first event kept still carries that hash as its previous-hash, so
// the chain is verified from it onwards; the marker, itself inside the verified chain, vouches for the
// start. A prefix missing without a matching marker is a broken chain, as before.

export const AUDIT_PRUNE_ACTION = 'audit.prune';

export type AuditPrunePayload = { prunedThrough: string; prunedThroughHash: string; events: number; olderThan: string };

export type AuditChainStart =
  | { ok: true; sequence: bigint; prevHash: string; prunedThrough: bigint | null }
  | { ok: false; sequence: bigint; reason: string };

/**
 * Where verification of the chain starts: at event 1 from the genesis hash, or, after pruning, at the
 * first event kept, from the hash the latest `audit.prune` marker recorded for the event before it.
 */
export async function findAuditChainStart(db: Db): Promise<AuditChainStart> {
  const first = await db.auditEvent.findFirst({ orderBy: { sequence: 'asc' }, select: { sequence: true, prevHash: true } });
  if (!first || first.sequence === 1n) return { ok: true, sequence: 1n, prevHash: GENESIS_HASH, prunedThrough: null };
  const marker = await db.auditEvent.findFirst({ where: { action: AUDIT_PRUNE_ACTION }, orderBy: { sequence: 'desc' }, select: { payload: true } });
  const claim = marker?.payload as Partial<AuditPrunePayload> | undefined;
  const prunedThrough = first.sequence - 1n;
  if (claim?.prunedThrough === prunedThrough.toString() && claim.prunedThroughHash === first.prevHash) {
    return { ok: true, sequence: first.sequence, prevHash: first.prevHash, prunedThrough };
  }
  return { ok: false, sequence: first.sequence, reason: `events 1–${prunedThrough} are missing and no audit.prune event accounts for them` };
}

// Serialises prunes: two at once could record overlapping ranges, and the later marker must name the
// end of what is actually gone. Appends need no lock against a prune: the head only grows.
const PRUNE_LOCK_KEY = 41_522_088;
// The database trigger's floor is measured on its own clock; stay a day clear of it.
const CLOCK_MARGIN_MS = 86_400_000;

/**
 * Deletes, in batches, the longest prefix of the chain whose events were all written before
 * `olderThan`, never the newest event and never anything from the day the oldest case now under legal
 * hold was opened (what is held includes who did what to it). Returns how many events were deleted.
 */
export async function pruneAuditLog(
  prisma: PrismaClient,
  options: { olderThan: Date; now: Date; batchSize: number; onBatch?: (through: bigint) => Promise<void> },
): Promise<number> {
  const held = await prisma.case.findFirst({ where: { legalHoldAt: { not: null } }, orderBy: { openedAt: 'asc' }, select: { openedAt: true } });
  const floor = options.now.getTime() - AUDIT_MINIMUM_DAYS * 86_400_000 - CLOCK_MARGIN_MS;
  const bound = new Date(Math.min(options.olderThan.getTime(), floor, held?.openedAt.getTime() ?? Infinity));
  let pruned = 0;
  for (;;) {
    const batch = await prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${PRUNE_LOCK_KEY})`;
      const first = await tx.auditEvent.findFirst({ orderBy: { sequence: 'asc' }, select: { sequence: true } });
      const head = await tx.auditEvent.findFirst({ orderBy: { sequence: 'desc' }, select: { sequence: true } });
      if (!first || !head) return null;
      const firstYoung = await tx.auditEvent.findFirst({ where: { createdAt: { gte: bound } }, orderBy: { sequence: 'asc' }, select: { sequence: true } });
      const end = [(firstYoung?.sequence ?? head.sequence + 1n) - 1n, head.sequence - 1n, first.sequence + BigInt(options.batchSize) - 1n].reduce((a, b) => (a < b ? a : b));
      if (end < first.sequence) return null;
      const last = await tx.auditEvent.findUniqueOrThrow({ where: { sequence: end }, select: { hash: true } });
      // The trigger lets this transaction, and only for events up to `end`, delete (see the migration).
      // Through the owner's function: the app's runtime role may not DELETE audit events itself.
      const [result] = await tx.$queryRaw<{ deleted: bigint }[]>`SELECT prune_audit_events(${end}) AS deleted`;
      const deleted = { count: Number(result?.deleted ?? 0) };
      const payload: AuditPrunePayload = { prunedThrough: end.toString(), prunedThroughHash: last.hash, events: deleted.count, olderThan: bound.toISOString() };
      await appendAuditEvent(tx, { actorId: null, actorRole: 'system', action: AUDIT_PRUNE_ACTION, outcome: 'success', targetType: 'audit_events', targetId: null, payload });
      return { end, count: deleted.count };
    });
    if (!batch) return pruned;
    pruned += batch.count;
    await options.onBatch?.(batch.end);
  }
}
