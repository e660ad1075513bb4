import type { NextFetchEvent, NextRequest } from 'next/server';
import NextAuth from 'next-auth';
import { authConfig } from '@/lib/server/auth/auth-config';

// Turns away requests with no valid session before any page or API code runs (see the `authorized`
// callback). Role and object checks happen later, in the data access layer and the action wrapper.
const { auth } = NextAuth(authConfig);
const authorizeRequest = auth as unknown as (request: NextRequest, event: NextFetchEvent) => Promise<Response | undefined>;

export function proxy(request: NextRequest, event: NextFetchEvent) {
  return authorizeRequest(request, event);
}

export const config = {
  matcher: ['/((?!_next/static|_next/image|favicon.ico|ort/|models/).*)'],
};
