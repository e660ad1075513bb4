import 'server-only';
import { getPrisma, type Db } from '@/lib/server/db/database';
import { verifyAuditChain, type AuditChainReport } from '@/lib/server/audit/verify-audit-chain';

export type AuditEventRow = {
  sequence: string;
  createdAt: Date;
  actorRole: string | null;
  actorId: string | null;
  action: string;
  outcome: string;
  targetType: string | null;
  targetId: string | null;
  payload: unknown;
  hash: string;
};

export async function listAuditEvents(options: { beforeSequence?: bigint; limit: number }, db?: Db): Promise<AuditEventRow[]> {
  db ??= await getPrisma();
  const rows = await db.auditEvent.findMany({
    where: options.beforeSequence ? { sequence: { lt: options.beforeSequence } } : {},
    orderBy: { sequence: 'desc' },
    take: options.limit,
  });
  return rows.map((row) => ({ ...row, sequence: row.sequence.toString() }));
}

/** The whole hash chain walked for the audit page: intact, or where it first breaks. */
export async function verifyAuditLog(db?: Db): Promise<AuditChainReport> {
  return verifyAuditChain(db ?? (await getPrisma()));
}
