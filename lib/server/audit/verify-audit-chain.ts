import 'server-only';
import type { Db } from '@/lib/server/db/database';
import { findAuditChainStart } from '@/lib/server/retention/prune-audit-log';
import { hashAuditEvent } from './audit-hash';

export type AuditChainReport =
  /** `headSequence`: the newest event (0 for an empty log); `headHash` its hash. */
  | { ok: true; events: number; headHash: string; headSequence: bigint }
  | { ok: false; events: number; brokenAt: bigint; reason: string };

export type AuditChainWalk = {
  /** The first event to check and the hash it must link to. */
  from: { sequence: bigint; prevHash: string };
  /**
   * Signed checkpoints (sequence → hash) met on the way: an event whose hash differs from its
   * checkpoint was rewritten, even if the chain after it was recomputed to hide the change.
   */
  checkpoints?: ReadonlyMap<bigint, string>;
};

const BATCH = 2_000;

/**
 * Walks the whole chain in sequence order and reports the first broken link: a gap in the sequence
 * (a deleted row), a previous-hash that does not match (a re-ordered or inserted row) or a hash that
 * does not match the row's content (an edited row). After retention has pruned the oldest events, the
 * walk starts at the first event kept, from the hash its `audit.prune` marker recorded; a missing
 * prefix that no marker accounts for is a break at event 1.
 */
export async function verifyAuditChain(prisma: Db, options: { checkpoints?: ReadonlyMap<bigint, string> } = {}): Promise<AuditChainReport> {
  const start = await findAuditChainStart(prisma);
  if (!start.ok) return { ok: false, events: 0, brokenAt: 1n, reason: start.reason };
  return walkAuditChain(prisma, { from: { sequence: start.sequence, prevHash: start.prevHash }, checkpoints: options.checkpoints });
}

/** Walks the chain from a given event to the newest (see verifyAuditChain). */
export async function walkAuditChain(prisma: Db, walk: AuditChainWalk): Promise<AuditChainReport> {
  let expectedSequence = walk.from.sequence;
  let previousHash = walk.from.prevHash;
  let events = 0;
  for (;;) {
    const rows = await prisma.auditEvent.findMany({
      where: { sequence: { gte: expectedSequence } },
      orderBy: { sequence: 'asc' },
      take: BATCH,
    });
    for (const row of rows) {
      if (row.sequence !== expectedSequence) {
        return { ok: false, events, brokenAt: expectedSequence, reason: `event ${expectedSequence} is missing` };
      }
      if (row.prevHash !== previousHash) {
        return { ok: false, events, brokenAt: row.sequence, reason: 'previous-hash link does not match the event before it' };
      }
      const recomputed = hashAuditEvent(row);
      if (recomputed !== row.hash) {
        return { ok: false, events, brokenAt: row.sequence, reason: 'content does not match its hash (the row was edited)' };
      }
      const checkpoint = walk.checkpoints?.get(row.sequence);
      if (checkpoint !== undefined && checkpoint !== row.hash) {
        return { ok: false, events, brokenAt: row.sequence, reason: 'hash differs from the signed checkpoint of this event (the chain was rewritten from here or earlier)' };
      }
      previousHash = row.hash;
      expectedSequence += 1n;
      events += 1;
    }
    if (rows.length < BATCH) {
      return { ok: true, events, headHash: previousHash, headSequence: expectedSequence - 1n };
    }
  }
}
