import 'server-only';
import { createHash } from 'node:crypto';
import { canonicalJson } from '@/lib/shared/canonical-json';

export const GENESIS_HASH = '0'.repeat(64);

export type AuditOutcome = 'success' | 'refused' | 'error';

export type HashedAuditFields = {
  sequence: bigint;
  prevHash: string;
  actorId: string | null;
  actorRole: string | null;
  action: string;
  outcome: string;
  targetType: string | null;
  targetId: string | null;
  payload: unknown;
  createdAt: Date;
};

// Every field of the row is covered, so changing any of them (or re-ordering rows) breaks the chain.
export function hashAuditEvent(fields: HashedAuditFields): string {
  const canonical = canonicalJson({
    sequence: fields.sequence,
    prevHash: fields.prevHash,
    actorId: fields.actorId,
    actorRole: fields.actorRole,
    action: fields.action,
    outcome: fields.outcome,
    targetType: fields.targetType,
    targetId: fields.targetId,
    payload: fields.payload,
    createdAt: fields.createdAt,
  });
  return createHash('sha256').update(canonical).digest('hex');
}
