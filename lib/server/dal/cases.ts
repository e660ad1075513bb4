import 'server-only';
import type { TransactionClient } from '@/lib/server/db/database';
import type { Prisma, PrismaClient } from '@/lib/server/generated/prisma/client';
import type { Actor } from '@/lib/server/auth/current-actor';
import { AppError } from '@/lib/shared/errors';

export type CaseSummary = {
  id: string;
  reference: string;
  offence: string;
  purpose: string;
  legalBasis: string;
  status: 'open' | 'closed';
  openedAt: Date;
  openedBy: string;
};

const caseSelect = {
  id: true,
  reference: true,
  offence: true,
  purpose: true,
  legalBasis: true,
  status: true,
  openedAt: true,
  openedBy: { select: { displayName: true } },
} as const;

type Db = PrismaClient | TransactionClient;

// A case is visible to the investigator who opened it. Anyone else gets "not found", never
// "forbidden", so case references cannot be probed.
function visibleTo(actor: Actor) {
  return { openedById: actor.id };
}

export async function listCasesForActor(db: Db, actor: Actor): Promise<CaseSummary[]> {
  const rows = await db.case.findMany({ where: visibleTo(actor), orderBy: { openedAt: 'desc' }, select: caseSelect });
  return rows.map(toSummary);
}

export async function findCaseForActor(db: Db, actor: Actor, caseId: string): Promise<CaseSummary | null> {
  const row = await db.case.findFirst({ where: { id: caseId, ...visibleTo(actor) }, select: caseSelect });
  return row ? toSummary(row) : null;
}

export async function requireCaseForActor(db: Db, actor: Actor, caseId: string): Promise<CaseSummary> {
  const found = await findCaseForActor(db, actor, caseId);
  if (!found) throw new AppError('NOT_FOUND', 'No such case, or it is not yours.');
  return found;
}

function toSummary(row: Prisma.CaseGetPayload<{ select: typeof caseSelect }>): CaseSummary {
  return { ...row, openedBy: row.openedBy.displayName };
}
