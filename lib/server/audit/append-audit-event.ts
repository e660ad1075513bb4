import 'server-only';
import type { PrismaClient } from '@/lib/server/generated/prisma/client';
import type { TransactionClient } from '@/lib/server/db/database';
import { canonicalJson } from '@/lib/shared/canonical-json';
import { GENESIS_HASH, hashAuditEvent, type AuditOutcome } from './audit-hash';
import { ambientRequestContext, type RequestContext } from './request-context';

export type AuditEntry = {
  actorId: string | null;
  actorRole: string | null;
  action: string;
  outcome: AuditOutcome;
  targetType?: string | null;
  targetId?: string | null;
  payload?: Record<string, unknown>;
  /**
   * Where the request came from, stored as the payload's `request` key (reserved: a payload's own
   * `request` is dropped, so only this can put one there). Left out, it is read from the web request
   * in scope, if there is one; null records none.
   */
  request?: RequestContext | null;
};

export type AppendedAuditEvent = { sequence: bigint; hash: string };

// Serialises writers so that two transactions never read the same chain head; held until commit.
const CHAIN_LOCK_KEY = 41_522_087;

/**
 * Appends one event inside the caller's transaction, so the event and the change it records commit
 * or roll back together.
 */
export async function appendAuditEvent(tx: TransactionClient, entry: AuditEntry): Promise<AppendedAuditEvent> {
  const request = entry.request === undefined ? await ambientRequestContext() : entry.request;
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${CHAIN_LOCK_KEY})`;
  const head = await tx.auditEvent.findFirst({
    orderBy: { sequence: 'desc' },
    select: { sequence: true, hash: true },
  });
  // Round-trip through the canonical form so the stored JSON is exactly what was hashed.
  const { request: _reserved, ...given } = entry.payload ?? {};
  const payload = JSON.parse(canonicalJson({ ...given, ...(request ? { request } : {}) })) as Record<string, unknown>;
  const fields = {
    sequence: (head?.sequence ?? 0n) + 1n,
    prevHash: head?.hash ?? GENESIS_HASH,
    actorId: entry.actorId,
    actorRole: entry.actorRole,
    action: entry.action,
    outcome: entry.outcome,
    targetType: entry.targetType ?? null,
    targetId: entry.targetId ?? null,
    payload,
    createdAt: new Date(),
  };
  const hash = hashAuditEvent(fields);
  await tx.auditEvent.create({ data: { ...fields, payload: payload as object, hash } });
  return { sequence: fields.sequence, hash };
}

/** For events that stand alone (sign-in, refusals): their own short transaction. */
export async function recordAuditEvent(prisma: PrismaClient, entry: AuditEntry): Promise<AppendedAuditEvent> {
  // Read before the transaction opens, so no connection is held while the request is looked at.
  const request = entry.request === undefined ? await ambientRequestContext() : entry.request;
  return prisma.$transaction((tx) => appendAuditEvent(tx, { ...entry, request }));
}
