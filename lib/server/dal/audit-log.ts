import 'server-only';
import { getPrisma, type Db } from '@/lib/server/db/database';
import { verifyAuditLogForPage, type AuditLogReport } from '@/lib/server/audit/verify-audit-log';

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

/**
 * The chain checked for the audit page: incrementally, from the last signed checkpoint verified, so a
 * page view does not walk years of events; `npm run audit:verify` does the full walk.
 */
export async function verifyAuditLog(db?: Db): Promise<AuditLogReport> {
  return verifyAuditLogForPage(db ?? (await getPrisma()));
}
