import 'server-only';
import { recordAuditEvent } from '@/lib/server/audit/append-audit-event';
import type { RequestContext } from '@/lib/server/audit/request-context';
import type { Actor } from '@/lib/server/auth/current-actor';
import type { PrismaClient } from '@/lib/server/generated/prisma/client';

/**
 * Looking at candidates is itself a record-worthy act: who saw which faces of which search, when, and
 * with or without their identities. One record shape for every place a search is shown (the review
 * bench, the supervisor's whole story, the disclosure pack), told apart by `extra`.
 */
export async function recordSearchView(
  prisma: PrismaClient,
  actor: Pick<Actor, 'id' | 'role'>,
  view: { searchId: string; caseId: string; probeFaceId: string; candidatesShown: string[]; isIdentityShown: boolean; stage: string | null; extra?: Record<string, unknown> },
  /** Where the view came from, when not the web request in scope (an /api/v1 call names its client and officer). */
  request?: RequestContext,
): Promise<void> {
  await recordAuditEvent(prisma, {
    actorId: actor.id,
    actorRole: actor.role,
    action: 'search.view',
    outcome: 'success',
    targetType: 'search',
    targetId: view.searchId,
    payload: { caseId: view.caseId, probeFaceId: view.probeFaceId, candidatesShown: view.candidatesShown, isIdentityShown: view.isIdentityShown, stage: view.stage, ...view.extra },
    ...(request ? { request } : {}),
  });
}
