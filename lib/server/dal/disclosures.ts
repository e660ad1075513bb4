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

export type DecidedDisclosureItem = {
  id: string;
  status: 'approved' | 'refused';
  decidedAt: Date | null;
  decidedBy: string | null;
  caseReference: string;
  subjectReference: string;
  isPackReady: boolean;
};

/** The team's most recent decisions, newest first, so an approved pack can be found again. */
export async function listDecidedDisclosures(actor: Actor, options: { take?: number } = {}, db?: Db): Promise<DecidedDisclosureItem[]> {
  db ??= await getPrisma();
  const rows = await db.disclosure.findMany({
    where: { status: { in: ['approved', 'refused'] }, candidate: whereVisible(actor, 'candidate') },
    orderBy: { decidedAt: 'desc' },
    take: options.take ?? 20,
    select: {
      id: true,
      status: true,
      decidedAt: true,
      packSha256: true,
      decidedBy: { select: { displayName: true } },
      candidate: { select: { subject: { select: { reference: true } }, search: { select: { case: { select: { reference: true } } } } } },
    },
  });
  return rows.map((row) => ({
    id: row.id,
    status: row.status as 'approved' | 'refused',
    decidedAt: row.decidedAt,
    decidedBy: row.decidedBy?.displayName ?? null,
    caseReference: row.candidate.search.case.reference,
    subjectReference: row.candidate.subject.reference,
    isPackReady: row.packSha256 !== null,
  }));
}

export type StoredPack = { disclosureId: string; key: string; sha256: string; caseId: string; caseReference: string; searchId: string; candidateId: string };

/**
 * The stored pack of an approved disclosure this actor may see (the investigator's team, its
 * supervisors), or null: missing, not approved, and not theirs all look the same.
 */
export async function findDisclosurePackForActor(actor: Actor, disclosureId: string, db?: Db): Promise<StoredPack | null> {
  db ??= await getPrisma();
  const row = await db.disclosure.findFirst({
    where: { id: disclosureId, status: 'approved', packKey: { not: null }, candidate: whereVisible(actor, 'candidate') },
    select: { id: true, packKey: true, packSha256: true, candidate: { select: { id: true, searchId: true, search: { select: { case: { select: { id: true, reference: true } } } } } } },
  });
  if (!row?.packKey || !row.packSha256) return null;
  return {
    disclosureId: row.id,
    key: row.packKey,
    sha256: row.packSha256,
    caseId: row.candidate.search.case.id,
    caseReference: row.candidate.search.case.reference,
    searchId: row.candidate.searchId,
    candidateId: row.candidate.id,
  };
}
