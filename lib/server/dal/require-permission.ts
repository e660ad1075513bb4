import 'server-only';
import { forbidden, redirect } from 'next/navigation';
import { getPrisma } from '@/lib/server/db/database';
import { recordAuditEvent } from '@/lib/server/audit/append-audit-event';
import { getCurrentActor, type Actor } from '@/lib/server/auth/current-actor';
import { hasPermission, type Permission } from '@/lib/shared/permissions';

/**
 * Guards a page: no session → sign-in; a role without the permission → 403, and the refused view is
 * audited (someone looking where they should not is worth knowing about).
 */
export async function requirePermission(permission: Permission, page: string): Promise<Actor> {
  const actor = await getCurrentActor();
  if (!actor) redirect('/sign-in');
  if (!hasPermission(actor.role, permission)) {
    await recordAuditEvent(await getPrisma(), {
      actorId: actor.id,
      actorRole: actor.role,
      action: 'page.view',
      outcome: 'refused',
      targetType: 'page',
      targetId: page,
      payload: { permission },
    });
    forbidden();
  }
  return actor;
}

/**
 * The signed-in user, or null, for the pages that only route by whether someone is signed in (and
 * as what): the home page and sign-in. No permission is asked, so nothing is refused or audited.
 */
export async function findSignedInActor(): Promise<Actor | null> {
  return getCurrentActor();
}

/**
 * For route-group layouts: the same gate without the audit record, because the page inside the
 * layout renders alongside it and records the refusal once.
 */
export async function requirePermissionForLayout(permission: Permission): Promise<Actor> {
  const actor = await getCurrentActor();
  if (!actor) redirect('/sign-in');
  if (!hasPermission(actor.role, permission)) forbidden();
  return actor;
}
