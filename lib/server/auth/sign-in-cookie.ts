import 'server-only';
import { cookies, headers } from 'next/headers';
import { decode } from 'next-auth/jwt';
import { getPrisma } from '@/lib/server/db/database';
import { ROLE_HOME } from '@/lib/shared/roles';
import { readSessionTokenClaims, sessionCookieName } from './auth-config';
import { resolveSession } from './sessions';

/** Where someone who must replace a temporary password is sent, whatever they asked for. */
export const PASSWORD_CHANGE_PATH = '/account/password';

/**
 * Called in the sign-in action right after Auth.js has set the session cookie. Auth.js gives the
 * cookie its configured maximum lifetime; it is set again here to expire exactly when the session
 * does, so not even the browser keeps it past the absolute expiry. Returns where to go next: the
 * role's home, the password page for a temporary password, or sign-in if no session came of it.
 */
export async function settleNewSessionCookie(): Promise<string> {
  const jar = await cookies();
  const name = sessionCookieName(await headers());
  const value = jar.get(name)?.value;
  if (!value) return '/sign-in';
  const claims = readSessionTokenClaims(await decode({ token: value, secret: process.env.AUTH_SECRET ?? '', salt: name }).catch(() => null));
  if (!claims) return '/sign-in';
  jar.set(name, value, { httpOnly: true, sameSite: 'lax', path: '/', secure: name.startsWith('__Secure-'), expires: new Date(claims.sxp * 1000) });
  const state = await resolveSession(await getPrisma(), { userId: claims.sub, sessionId: claims.sid });
  if (state.status === 'password_change_required') return PASSWORD_CHANGE_PATH;
  return state.status === 'active' ? ROLE_HOME[state.actor.role] : '/sign-in';
}

/** Removes the session cookie from this response (its session has already been ended on the server). */
export async function clearSessionCookie(): Promise<void> {
  (await cookies()).delete(sessionCookieName(await headers()));
}
