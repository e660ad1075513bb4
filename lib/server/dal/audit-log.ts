import 'server-only';
import { getPrisma, type Db } from '@/lib/server/db/database';
import { verifyAuditLogForPage, type AuditLogReport } from '@/lib/server/audit/verify-audit-log';
import { exportAuditLogToString, type AuditExportFilter } from '@/lib/server/audit/export-audit-log';
import { recordAuditEvent } from '@/lib/server/audit/append-audit-event';
import type { Actor } from '@/lib/server/auth/current-actor';
import { getConfig } from '@/lib/server/config';
import type { Prisma, PrismaClient } from '@/lib/server/generated/prisma/client';
import type { AuditEventView, AuditListFilter } from '@/lib/shared/audit-view';
import { AppError } from '@/lib/shared/errors';
import { hasPermission } from '@/lib/shared/permissions';

export type AuditEventRow = AuditEventView;

function whereOf(filter: AuditListFilter, actorIds?: string[]): Prisma.AuditEventWhereInput {
  return {
    ...(filter.before ? { sequence: { lt: BigInt(filter.before) } } : {}),
    ...(filter.actorId ? { actorId: filter.actorId } : {}),
    // Scoped to a team: a filter naming someone outside it matches nothing.
    ...(actorIds ? { actorId: filter.actorId ? (actorIds.includes(filter.actorId) ? filter.actorId : { in: [] }) : { in: actorIds } } : {}),
    ...(filter.action ? { action: filter.action } : {}),
    ...(filter.outcome ? { outcome: filter.outcome } : {}),
    ...(filter.from || filter.to ? { createdAt: { ...(filter.from ? { gte: filter.from } : {}), ...(filter.to ? { lt: new Date(filter.to.getTime() + 86_400_000) } : {}) } } : {}),
  };
}

export async function listAuditEvents(options: { filter?: AuditListFilter; limit: number }, db?: Db): Promise<AuditEventRow[]> {
  db ??= await getPrisma();
  const rows = await db.auditEvent.findMany({ where: whereOf(options.filter ?? {}), orderBy: { sequence: 'desc' }, take: options.limit });
  return rows.map((row) => ({ ...row, sequence: row.sequence.toString() }));
}

/**
 * A supervisor's view of the audit log: the events of their own team's members (every role in the
 * team), newest first. Reading the log is itself recorded.
 */
export async function listTeamAuditEvents(actor: Actor, options: { filter?: AuditListFilter; limit: number }, db?: Db): Promise<AuditEventRow[]> {
  db ??= await getPrisma();
  if (actor.role !== 'supervisor' || !actor.teamId) return [];
  const members = (await db.user.findMany({ where: { teamId: actor.teamId }, select: { id: true } })).map((user) => user.id);
  const rows = await db.auditEvent.findMany({ where: whereOf(options.filter ?? {}, members), orderBy: { sequence: 'desc' }, take: options.limit });
  await recordAuditEvent(db as PrismaClient, { actorId: actor.id, actorRole: actor.role, action: 'audit.view', outcome: 'success', targetType: 'team', targetId: actor.teamId, payload: { shown: rows.length } });
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
