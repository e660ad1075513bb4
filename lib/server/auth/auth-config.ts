import type { NextAuthConfig } from 'next-auth';
import type { Role } from '@/lib/shared/roles';

// The part of the Auth.js configuration that the proxy (which runs on every request) can load
// without the database or the password hasher. Authorisation proper happens in the data access
// layer and the action wrapper; the proxy only turns away requests with no session at all.

const PUBLIC_PATHS = ['/sign-in', '/api/auth', '/api/health'];

export function isPublicPath(pathname: string): boolean {
  return PUBLIC_PATHS.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`));
}

export const SESSION_MAX_AGE_SECONDS = 8 * 60 * 60; // one shift

export const authConfig = {
  pages: { signIn: '/sign-in' },
  session: { strategy: 'jwt', maxAge: SESSION_MAX_AGE_SECONDS },
  trustHost: true,
  providers: [],
  callbacks: {
    authorized({ auth, request }) {
      const { pathname } = request.nextUrl;
      if (isPublicPath(pathname)) return true;
      if (auth?.user) return true;
      if (pathname.startsWith('/api/')) {
        return Response.json({ error: { code: 'UNAUTHENTICATED', message: 'Sign in first.' } }, { status: 401 });
      }
      return false; // Auth.js redirects to the sign-in page
    },
    jwt({ token, user }) {
      if (user) {
        token.sub = user.id;
        token.role = (user as { role?: Role }).role;
      }
      return token;
    },
    session({ session, token }) {
      if (token.sub) session.user.id = token.sub;
      session.user.role = token.role as Role;
      return session;
    },
  },
} satisfies NextAuthConfig;
