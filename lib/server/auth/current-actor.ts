import 'server-only';
import { cookies, headers } from 'next/headers';
import { cache } from 'react';
import { getPrisma } from '@/lib/server/db/database';
import type { Role } from '@/lib/shared/roles';
import { readSessionCookie } from './auth-config';
import { NO_SESSION, resolveSession, type SessionState } from './sessions';

export type Actor = { id: string; email: string; displayName: string; role: Role; teamId: string | null };

/**
 * The session this request's cookie names, as the database sees it now (see `resolveSession`): the
 * cookie only names the user and the session row. The row must still be open, within its absolute
 * lifetime and idle timeout; the role, the team and the disabled flag are read afresh. Nothing here
 * re-issues the cookie, so no response extends a session.
 */
export const readSessionState = cache(async (): Promise<SessionState> => {
  const claims = await readSessionCookie(await headers(), await cookies());
  if (!claims) return NO_SESSION;
  return resolveSession(await getPrisma(), { userId: claims.sub, sessionId: claims.sid });
});

/**
 * The signed-in user, or null. Null too for a session opened with a temporary password: until it is
 * replaced, no page and no action (they all ask here) is open to it.
 */
export const getCurrentActor = cache(async (): Promise<Actor | null> => {
  const state = await readSessionState();
  return state.status === 'active' ? state.actor : null;
});

/** The signed-in user whether or not they must still replace a temporary password: for that page and its action only. */
export const getAccountHolder = cache(async (): Promise<Actor | null> => {
  const state = await readSessionState();
  return state.status === 'none' ? null : state.actor;
});
