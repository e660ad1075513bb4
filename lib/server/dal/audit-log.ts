import 'server-only';
import { getPrisma, type Db } from '@/lib/server/db/database';
import { verifyAuditLogForPage, type AuditLogReport } from '@/lib/server/audit/verify-audit-log';
import { exportAuditLogToString, type AuditExportFilter } from '@/lib/server/audit/export-audit-log';
import { recordAuditEvent } from '@/lib/server/audit/append-audit-event';
import type { Actor } from '@/lib/server/auth/current-actor';
import { getConfig } from '@/lib/server/config';
import type { PrismaClient } from '@/lib/server/generated/prisma/client';
import { AppError } from '@/lib/shared/errors';
import { hasPermission } from '@/lib/shared/permissions';

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

/**
 * The audit log as a file for outside verification (CSV or JSON with every hash), for administrators.
 * The export is itself an audited act, recorded before the file is produced: no record, no file.
 */
export async function exportAuditLogForActor(
  actor: Actor,
  options: { format: 'csv' | 'json'; filter: AuditExportFilter },
  db?: Db,
): Promise<{ body: string; contentType: string; filename: string }> {
  db ??= await getPrisma();
  const prisma = db as PrismaClient;
  if (actor.role !== 'admin' || !hasPermission(actor.role, 'audit:read')) {
    await recordAuditEvent(prisma, { actorId: actor.id, actorRole: actor.role, action: 'audit.export', outcome: 'refused', payload: { code: 'FORBIDDEN' } });
    throw new AppError('FORBIDDEN', 'Only administrators export the audit log.');
  }
  const filter = Object.fromEntries(Object.entries(options.filter).map(([key, value]) => [key, value instanceof Date ? value.toISOString() : value]));
  await recordAuditEvent(prisma, { actorId: actor.id, actorRole: actor.role, action: 'audit.export', outcome: 'success', payload: { format: options.format, filter } });
  const body = await exportAuditLogToString(db, { format: options.format, filter: options.filter, dataDir: getConfig().dataDir });
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
  return {
    body,
    contentType: options.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json',
    filename: `audit-export-${stamp}.${options.format}`,
  };
}
