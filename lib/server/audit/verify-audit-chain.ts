import 'server-only';
import type { Db } from '@/lib/server/db/database';
import { GENESIS_HASH, hashAuditEvent } from './audit-hash';

export type AuditChainReport =
  | { ok: true; events: number; headHash: string }
  | { ok: false; events: number; brokenAt: bigint; reason: string };

const BATCH = 2_000;

/**
 * Walks the whole chain in sequence order and reports the first broken link: a gap in the sequence
 * (a deleted row), a previous-hash that does not match (a re-ordered or inserted row) or a hash that
 * does not match the row's content (an edited row).
 */
export async function verifyAuditChain(prisma: Db): Promise<AuditChainReport> {
  let expectedSequence = 1n;
  let previousHash = GENESIS_HASH;
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
      previousHash = row.hash;
      expectedSequence += 1n;
      events += 1;
    }
    if (rows.length < BATCH) return { ok: true, events, headHash: previousHash };
  }
}
