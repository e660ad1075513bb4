import 'server-only';
import { forbidden, notFound, redirect } from 'next/navigation';
import { getPrisma } from '@/lib/server/db/database';
import { recordAuditEvent } from '@/lib/server/audit/append-audit-event';
import { getCurrentActor, readSessionState, type Actor } from '@/lib/server/auth/current-actor';
import { PASSWORD_CHANGE_PATH } from '@/lib/server/auth/sign-in-cookie';
import { hasPermission, type Permission } from '@/lib/shared/permissions';
import { ROLE_HOME } from '@/lib/shared/roles';

// No usable session: a session opened with a temporary password goes to replace it, anything else
// (none, signed out, expired, revoked) to sign-in.
async function redirectWithoutActor(): Promise<never> {
  const state = await readSessionState();
  redirect(state.status === 'password_change_required' ? PASSWORD_CHANGE_PATH : '/sign-in');
}

/**
 * Guards a page: no session → sign-in; a role without the permission (every one of them, when a list
 * is given) → 403, and the refused view is audited (someone looking where they should not is worth
 * knowing about). A page inside a route group names the group layout's permission too: the layout's
 * own gate refuses without an audit record, so the page's check must refuse the same callers.
 */
export async function requirePermission(permission: Permission | readonly Permission[], page: string): Promise<Actor> {
  const actor = await getCurrentActor();
  if (!actor) return redirectWithoutActor();
  const required = typeof permission === 'string' ? [permission] : permission;
  const missing = required.find((entry) => !hasPermission(actor.role, entry));
  if (missing) {
    await recordPageRefusal(actor, page, { permission: missing });
    forbidden();
  }
  return actor;
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The 404 of a page whose object this caller may not see (another team's case) or that does not
 * exist: the same answer for both, so ids cannot be probed, and audited like a refused permission,
 * since trying ids that are not yours is just as worth knowing about. Only an id shaped like one is
 * recorded, never free text from the URL.
 */
export async function refuseAsNotFound(actor: Actor, page: string, id: string): Promise<never> {
  await recordPageRefusal(actor, page, { code: 'NOT_FOUND', ...(UUID_PATTERN.test(id) ? { id } : {}) });
  notFound();
}

/** The one record of a refused page view, whether for the role or for the object. */
async function recordPageRefusal(actor: Actor, page: string, payload: Record<string, string>): Promise<void> {
  await recordAuditEvent(await getPrisma(), { actorId: actor.id, actorRole: actor.role, action: 'page.view', outcome: 'refused', targetType: 'page', targetId: page, payload });
}

/**
 * The signed-in user, or null, for the pages that only route by whether someone is signed in (and
 * as what): the home page and sign-in. No permission is asked, so nothing is refused or audited.
 */
export async function findSignedInActor(): Promise<Actor | null> {
  return getCurrentActor();
}

/** Where a signed-in visitor of the home or sign-in page belongs, or null when nobody is signed in. */
export async function findSessionLanding(): Promise<string | null> {
  const state = await readSessionState();
  if (state.status === 'password_change_required') return PASSWORD_CHANGE_PATH;
  return state.status === 'active' ? ROLE_HOME[state.actor.role] : null;
}

/**
 * For route-group layouts: the same gate without the audit record, because the page inside the
 * layout renders alongside it and records the refusal once.
 */
export async function requirePermissionForLayout(permission: Permission): Promise<Actor> {
  const actor = await getCurrentActor();
  if (!actor) return redirectWithoutActor();
  if (!hasPermission(actor.role, permission)) forbidden();
  return actor;
}
