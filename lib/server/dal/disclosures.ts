import 'server-only';
import type { PrismaClient } from '@/lib/server/generated/prisma/client';

export type DisclosureQueueItem = {
  id: string;
  requestedAt: Date;
  requestedBy: string;
  caseReference: string;
  subjectReference: string;
  requestRationale: string;
};

export async function listPendingDisclosures(prisma: PrismaClient): Promise<DisclosureQueueItem[]> {
  const rows = await prisma.disclosure.findMany({
    where: { status: 'pending' },
    orderBy: { requestedAt: 'asc' },
    select: {
      id: true,
      requestedAt: true,
      requestRationale: true,
      requestedBy: { select: { displayName: true } },
      candidate: {
        select: { subject: { select: { reference: true } }, search: { select: { case: { select: { reference: true } } } } },
      },
    },
  });
  return rows.map((row) => ({
    id: row.id,
    requestedAt: row.requestedAt,
    requestedBy: row.requestedBy.displayName,
    caseReference: row.candidate.search.case.reference,
    subjectReference: row.candidate.subject.reference,
    requestRationale: row.requestRationale,
  }));
}
