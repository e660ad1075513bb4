import 'server-only';
import type { PrismaClient } from '@/lib/server/generated/prisma/client';

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

export async function listAuditEvents(
  prisma: PrismaClient,
  options: { beforeSequence?: bigint; limit: number },
): Promise<AuditEventRow[]> {
  const rows = await prisma.auditEvent.findMany({
    where: options.beforeSequence ? { sequence: { lt: options.beforeSequence } } : {},
    orderBy: { sequence: 'desc' },
    take: options.limit,
  });
  return rows.map((row) => ({ ...row, sequence: row.sequence.toString() }));
}
