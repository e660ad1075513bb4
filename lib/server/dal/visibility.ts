import 'server-only';
import type { TransactionClient } from '@/lib/server/db/database';
import type { Prisma, PrismaClient } from '@/lib/server/generated/prisma/client';
import type { Actor } from '@/lib/server/auth/current-actor';
import { AppError } from '@/lib/shared/errors';

/**
 * The one rule for who may see casework. Every query for a case or anything a case owns (a probe, a
 * probe face and its crop, a search, a candidate, an enrolled face shown as a candidate) filters with
 * `whereVisible`, so the rule is written once and a change to it changes every surface at once.
 *
 * - Investigators see and work on their team's cases.
 * - Supervisors see their team's cases read-only, and only those where a decision is asked of them:
 *   a disclosure request or a dispute between reviewers. They never add probes or run searches.
 * - Administrators see no casework at all: they manage galleries and accounts.
 *
 * Anything not visible is "not found", never "forbidden", so ids and references cannot be probed.
 */
export type Access = 'read' | 'work';

type WhereOf = {
  case: Prisma.CaseWhereInput;
  probe: Prisma.ProbeWhereInput;
  probeFace: Prisma.ProbeFaceWhereInput;
  search: Prisma.SearchWhereInput;
  candidate: Prisma.CandidateWhereInput;
  /** Enrolled faces as casework shows them: only those that came up as a candidate in a visible case. */
  enrolledFace: Prisma.EnrolledFaceWhereInput;
};
export type VisibleKind = keyof WhereOf;

// Matches nothing: a valid UUID no row can have (uuid() never generates the nil UUID).
const NOTHING: Prisma.CaseWhereInput = { id: '00000000-0000-0000-0000-000000000000' };

export function visibleCaseWhere(actor: Pick<Actor, 'role' | 'teamId'>, access: Access): Prisma.CaseWhereInput {
  if (!actor.teamId) return NOTHING;
  if (actor.role === 'investigator') return { teamId: actor.teamId };
  if (actor.role === 'supervisor' && access === 'read') {
    return {
      teamId: actor.teamId,
      searches: { some: { OR: [{ dispute: { isNot: null } }, { candidates: { some: { disclosures: { some: {} } } } }] } },
    };
  }
  return NOTHING;
}

export function whereVisible<Kind extends VisibleKind>(actor: Pick<Actor, 'role' | 'teamId'>, kind: Kind, access: Access = 'read'): WhereOf[Kind] {
  const kase = visibleCaseWhere(actor, access);
  const where: WhereOf = {
    case: kase,
    probe: { case: kase },
    probeFace: { probe: { case: kase } },
    search: { case: kase },
    candidate: { search: { case: kase } },
    enrolledFace: { candidates: { some: { search: { case: kase } } } },
  };
  return where[kind];
}

type Db = PrismaClient | TransactionClient;

/** For actions that add to a case: it must be visible for work and still open. */
export async function requireWorkableCase(db: Db, actor: Actor, caseId: string): Promise<{ id: string; teamId: string }> {
  const kase = await db.case.findFirst({ where: { id: caseId, ...whereVisible(actor, 'case', 'work') }, select: { id: true, teamId: true, status: true } });
  if (!kase) throw new AppError('NOT_FOUND', 'No such case, or it is not one of your team’s.');
  if (kase.status !== 'open') throw new AppError('CASE_CLOSED', 'This case is closed.');
  return { id: kase.id, teamId: kase.teamId };
}
