import 'server-only';
import { getPrisma, type Db, type TransactionClient } from '@/lib/server/db/database';
import type { Prisma } from '@/lib/server/generated/prisma/client';
import type { Actor } from '@/lib/server/auth/current-actor';
import { AppError } from '@/lib/shared/errors';
import type { OpenCaseInput } from '@/lib/shared/schemas/case';
import { whereVisible } from '@/lib/server/dal/visibility';

export type CaseSummary = {
  id: string;
  reference: string;
  offence: string;
  purpose: string;
  legalBasis: string;
  status: 'open' | 'closed';
  openedAt: Date;
  openedBy: string;
  isMine: boolean;
  legalHoldAt: Date | null;
  legalHoldReason: string | null;
};

const caseSelect = {
  id: true,
  reference: true,
  offence: true,
  purpose: true,
  legalBasis: true,
  status: true,
  openedAt: true,
  openedById: true,
  openedBy: { select: { displayName: true } },
  legalHoldAt: true,
  legalHoldReason: true,
} as const;

/** The cases this actor may see, split into those they opened and the rest of their team's. */
export async function listCasesForActor(actor: Actor, db?: Db): Promise<{ mine: CaseSummary[]; team: CaseSummary[] }> {
  db ??= await getPrisma();
  const rows = await db.case.findMany({ where: whereVisible(actor, 'case'), orderBy: { openedAt: 'desc' }, select: caseSelect });
  const cases = rows.map((row) => toSummary(row, actor));
  return { mine: cases.filter((item) => item.isMine), team: cases.filter((item) => !item.isMine) };
}

export async function findCaseForActor(actor: Actor, caseId: string, db?: Db): Promise<CaseSummary | null> {
  db ??= await getPrisma();
  const row = await db.case.findFirst({ where: { id: caseId, ...whereVisible(actor, 'case') }, select: caseSelect });
  return row ? toSummary(row, actor) : null;
}

export async function requireCaseForActor(db: Db, actor: Actor, caseId: string): Promise<CaseSummary> {
  const found = await findCaseForActor(actor, caseId, db);
  if (!found) throw new AppError('NOT_FOUND', 'No such case, or it is not one of your team’s.');
  return found;
}

function toSummary(row: Prisma.CaseGetPayload<{ select: typeof caseSelect }>, actor: Actor): CaseSummary {
  const { openedById, ...rest } = row;
  return { ...rest, openedBy: row.openedBy.displayName, isMine: openedById === actor.id };
}

/**
 * Opens a case in the actor's team. References are unique per team, so a clash can only be with one
 * of the team's own cases and says nothing about any other team's work.
 */
export async function openCaseForActor(tx: TransactionClient, actor: Actor, input: OpenCaseInput): Promise<{ id: string }> {
  if (!actor.teamId) throw new AppError('FORBIDDEN', 'You are not in a team yet. Ask an administrator to assign you to one.');
  const clash = await tx.case.findFirst({ where: { teamId: actor.teamId, reference: input.reference }, select: { id: true } });
  if (clash) {
    throw new AppError('CONFLICT', 'Your team already has a case with this reference.', { reference: ['Your team already has a case with this reference.'] });
  }
  return tx.case.create({ data: { ...input, openedById: actor.id, teamId: actor.teamId }, select: { id: true } });
}
