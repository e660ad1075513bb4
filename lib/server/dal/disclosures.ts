import 'server-only';
import { getPrisma, type Db } from '@/lib/server/db/database';
import type { Actor } from '@/lib/server/auth/current-actor';
import { whereVisible } from '@/lib/server/dal/visibility';

export type DisclosureQueueItem = {
  id: string;
  requestedAt: Date;
  requestedBy: string;
  caseId: string;
  caseReference: string;
  searchId: string;
  subjectReference: string;
  statement: string;
};

export type DisputeQueueItem = { id: string; raisedAt: Date; caseId: string; caseReference: string; searchId: string };

/** The team's pending disclosure requests, oldest first: the supervisor works the queue in order. */
export async function listPendingDisclosures(actor: Actor, db?: Db): Promise<DisclosureQueueItem[]> {
  db ??= await getPrisma();
  const rows = await db.disclosure.findMany({
    where: { status: 'pending', candidate: whereVisible(actor, 'candidate') },
    orderBy: { requestedAt: 'asc' },
    select: {
      id: true,
      requestedAt: true,
      statement: true,
      requestedBy: { select: { displayName: true } },
      candidate: {
        select: { subject: { select: { reference: true } }, search: { select: { id: true, case: { select: { id: true, reference: true } } } } },
      },
    },
  });
  return rows.map((row) => ({
    id: row.id,
    requestedAt: row.requestedAt,
    requestedBy: row.requestedBy.displayName,
    caseId: row.candidate.search.case.id,
    caseReference: row.candidate.search.case.reference,
    searchId: row.candidate.search.id,
    subjectReference: row.candidate.subject.reference,
    statement: row.statement,
  }));
}

/** Searches whose two reviewers disagreed, waiting for the team's supervisor. */
export async function listOpenDisputes(actor: Actor, db?: Db): Promise<DisputeQueueItem[]> {
  db ??= await getPrisma();
  const rows = await db.dispute.findMany({
    where: { status: 'open', search: whereVisible(actor, 'search') },
    orderBy: { raisedAt: 'asc' },
    select: { id: true, raisedAt: true, search: { select: { id: true, case: { select: { id: true, reference: true } } } } },
  });
  return rows.map((row) => ({ id: row.id, raisedAt: row.raisedAt, caseId: row.search.case.id, caseReference: row.search.case.reference, searchId: row.search.id }));
}
