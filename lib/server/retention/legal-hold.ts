import 'server-only';
import { z } from 'zod';
import type { Actor } from '@/lib/server/auth/current-actor';
import type { TransactionClient } from '@/lib/server/db/database';
import { AppError } from '@/lib/shared/errors';

/**
 * A legal hold (litigation, a complaint, a disclosure obligation, an inquiry) suspends every
 * retention deletion of a case's data: its probes, crops and embeddings, its searches with their
 * candidates, reviews and decisions, its disclosures, and the evidence copies of candidates' crops.
 * It is not retroactive: what retention had already deleted stays deleted.
 *
 * These functions change the case only. The caller is the action that wraps them: it checks the
 * permission and the object (the visibility rule) and writes the audit event with what they return.
 */
export const legalHoldInputSchema = z.object({
  caseId: z.string().uuid(),
  reason: z.string().trim().min(10, 'Say why the case is held (at least 10 characters).').max(2000),
});
export type LegalHoldInput = z.infer<typeof legalHoldInputSchema>;

export type LegalHoldChange = {
  caseId: string;
  reason: string;
  /** For a release: when the hold being released was placed, why and by whom (the audit trail keeps it). */
  released?: { heldAt: Date; heldReason: string; heldById: string | null };
};

export async function placeLegalHold(tx: TransactionClient, actor: Pick<Actor, 'id'>, input: LegalHoldInput): Promise<LegalHoldChange> {
  const { caseId, reason } = legalHoldInputSchema.parse(input);
  const current = await lockCase(tx, caseId);
  if (current.legal_hold_at) throw new AppError('CONFLICT', 'This case is already under legal hold.');
  await tx.case.update({ where: { id: caseId }, data: { legalHoldAt: new Date(), legalHoldReason: reason, legalHoldById: actor.id } });
  return { caseId, reason };
}

export async function releaseLegalHold(tx: TransactionClient, actor: Pick<Actor, 'id'>, input: LegalHoldInput): Promise<LegalHoldChange> {
  const { caseId, reason } = legalHoldInputSchema.parse(input);
  const current = await lockCase(tx, caseId);
  if (!current.legal_hold_at) throw new AppError('CONFLICT', 'This case is not under legal hold.');
  await tx.case.update({ where: { id: caseId }, data: { legalHoldAt: null, legalHoldReason: null, legalHoldById: null } });
  return {
    caseId,
    reason,
    released: { heldAt: current.legal_hold_at, heldReason: current.legal_hold_reason ?? '', heldById: current.legal_hold_by_id },
  };
}

export function isUnderLegalHold(kase: { legalHoldAt: Date | null }): boolean {
  return kase.legalHoldAt !== null;
}

type LockedCase = { legal_hold_at: Date | null; legal_hold_reason: string | null; legal_hold_by_id: string | null };

// The row lock orders a hold against a retention sweep deleting from the same case: the sweep locks
// the case's row before it deletes and re-checks the hold, so either the hold commits first and the
// sweep skips the case, or the sweep's deletion commits first and this finds what is left.
async function lockCase(tx: TransactionClient, caseId: string): Promise<LockedCase> {
  const rows = await tx.$queryRaw<LockedCase[]>`
    SELECT "legal_hold_at", "legal_hold_reason", "legal_hold_by_id" FROM "cases" WHERE "id" = ${caseId}::uuid FOR UPDATE`;
  const row = rows[0];
  if (!row) throw new AppError('NOT_FOUND', 'No such case.');
  return row;
}
