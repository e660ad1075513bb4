import type { NextAuthConfig } from 'next-auth';
import { decode, encode, type JWT } from 'next-auth/jwt';
import { MAX_SESSION_MINUTES } from '@/lib/shared/schemas/session-policy';

// The part of the Auth.js configuration, and of reading its session cookie, that the proxy (which runs
// on every request) can load without the database or the password hasher. Whether a session is still
// open is decided by its row in `user_sessions`, read by the data access layer and the action wrapper
// (lib/server/auth/current-actor.ts); the proxy only turns away requests with no unexpired cookie.

// /api/v1 authenticates its own callers (bearer tokens, lib/server/api/api-call.ts); its contract and docs are public.
const PUBLIC_PATHS = ['/sign-in', '/api/health', '/api/v1'];

export function isPublicPath(pathname: string): boolean {
  return PUBLIC_PATHS.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`));
}

/** The cookie's own lifetime: an upper bound. Each session's real (shorter) expiry is its `sxp` claim. */
export const SESSION_COOKIE_MAX_AGE_SECONDS = MAX_SESSION_MINUTES * 60;

/** What our session JWT holds besides Auth.js's defaults. */
export type SessionTokenClaims = { sub: string; sid: string; sxp: number };

export function readSessionTokenClaims(token: JWT | null | undefined, nowSeconds = Math.floor(Date.now() / 1000)): SessionTokenClaims | null {
  if (!token) return null;
  const { sub, sid, sxp } = token as Record<string, unknown>;
  if (typeof sub !== 'string' || typeof sid !== 'string' || typeof sxp !== 'number') return null;
  if (sxp <= nowSeconds) return null;
  return { sub, sid, sxp };
}

/**
 * Auth.js names its cookie `__Secure-authjs.session-token` when it believes it is served over HTTPS:
 * AUTH_URL's scheme if set, otherwise X-Forwarded-Proto (which Next.js sets from the socket when no
 * proxy did). Read with the same rule, so the cookie looked for is the cookie it wrote.
 */
export function sessionCookieName(headers: Pick<Headers, 'get'>, requestProtocol?: string): string {
  const configured = process.env.AUTH_URL ?? process.env.NEXTAUTH_URL;
  // The proxy may run before Next.js has filled X-Forwarded-Proto in: it passes the URL's protocol.
  const forwarded = headers.get('x-forwarded-proto') ?? requestProtocol ?? 'https';
  const protocol = configured ? new URL(configured).protocol : `${forwarded.replace(/:$/, '')}:`;
  return protocol === 'https:' ? '__Secure-authjs.session-token' : 'authjs.session-token';
}

function authSecret(): string {
  const secret = process.env.AUTH_SECRET;
  if (!secret) throw new Error('AUTH_SECRET is not set');
  return secret;
}

/**
 * The claims of the session cookie a request carries, when it decrypts and has not expired; null
 * otherwise. Only the cookie counts (not an Authorization header), and nothing is re-issued.
 */
export async function readSessionCookie(
  headers: Pick<Headers, 'get'>,
  cookies: { get(name: string): { value: string } | undefined },
  requestProtocol?: string,
): Promise<SessionTokenClaims | null> {
  const name = sessionCookieName(headers, requestProtocol);
  const value = cookies.get(name)?.value;
  if (!value) return null;
  try {
    return readSessionTokenClaims(await decode({ token: value, secret: authSecret(), salt: name }));
  } catch {
    return null;
  }
}

export const authConfig = {
  pages: { signIn: '/sign-in' },
  session: { strategy: 'jwt', maxAge: SESSION_COOKIE_MAX_AGE_SECONDS },
  trustHost: true,
  providers: [],
  jwt: {
    // However the token comes to be encoded, it never outlives the session's absolute expiry: no
    // renewal slides past it.
    async encode(params) {
      const expiry = typeof params.token?.sxp === 'number' ? params.token.sxp : 0;
      // One second of margin: the encoder reads the clock again, and may do so in the next second.
      const remaining = Math.max(1, expiry - Math.ceil(Date.now() / 1000) - 1);
      return encode({ ...params, maxAge: Math.min(params.maxAge ?? SESSION_COOKIE_MAX_AGE_SECONDS, remaining) });
    },
  },
  callbacks: {
    jwt({ token, user }) {
      if (user) {
        const signedIn = user as { id?: string; sessionId?: string; sessionExpiresAt?: Date };
        if (!signedIn.id || !signedIn.sessionId || !signedIn.sessionExpiresAt) return null;
        // The token names the user and the session row, nothing else: role, team and whether the
        // session is still open are read from the database on every request.
        return { sub: signedIn.id, sid: signedIn.sessionId, sxp: Math.floor(signedIn.sessionExpiresAt.getTime() / 1000) };
      }
      return readSessionTokenClaims(token) ? token : null;
    },
    session({ session, token }) {
      if (token.sub) session.user.id = token.sub;
      return session;
    },
  },
} satisfies NextAuthConfig;
