import { NextResponse, type NextRequest } from 'next/server';
import { isPublicPath, readSessionCookie } from '@/lib/server/auth/auth-config';
import { buildContentSecurityPolicy, createNonce, isHttpsRequest, STRICT_TRANSPORT_SECURITY } from '@/lib/shared/security/content-security-policy';

// Runs before every page and API route. Two jobs:
// 1. The Content-Security-Policy, with a nonce made for this request. It is set on the request too,
//    because that is where Next.js reads the nonce to put on the scripts it renders (see the Next.js
//    CSP guide); HSTS is added when the browser came over HTTPS.
// 2. Turning away requests without an unexpired session cookie. Whether the session is still open
//    (not signed out, idle or revoked) is decided from the database by the data access layer and the
//    action wrapper; this only spares them the obvious cases. It never re-issues the cookie.
export async function proxy(request: NextRequest) {
  const nonce = createNonce();
  const isHttps = isHttpsRequest(request.nextUrl, request.headers);
  const policy = buildContentSecurityPolicy({ nonce, isHttps, isDevelopment: process.env.NODE_ENV === 'development' });

  const { pathname } = request.nextUrl;
  const hasSession = isPublicPath(pathname) || (await readSessionCookie(request.headers, request.cookies, request.nextUrl.protocol)) !== null;

  let response: NextResponse;
  if (hasSession) {
    const forwarded = new Headers(request.headers);
    forwarded.set('x-nonce', nonce);
    forwarded.set('Content-Security-Policy', policy);
    response = NextResponse.next({ request: { headers: forwarded } });
  } else if (pathname.startsWith('/api/')) {
    response = NextResponse.json({ error: { code: 'UNAUTHENTICATED', message: 'Sign in first.' } }, { status: 401 });
  } else {
    response = NextResponse.redirect(new URL('/sign-in', request.nextUrl));
  }
  response.headers.set('Content-Security-Policy', policy);
  if (isHttps) response.headers.set('Strict-Transport-Security', STRICT_TRANSPORT_SECURITY);
  return response;
}

export const config = {
  matcher: ['/((?!_next/static|_next/image|favicon.ico|ort/|models/).*)'],
};
