// Stands in for next/headers in tests that call server actions, pages and route handlers directly:
// the request they run on carries the session cookie a test chose (a real one, minted for a real
// session row, so the real session resolution decides who is calling) and a user agent that says the
// call came from the attack suite. Use with `vi.mock('next/headers', () => import('../support/request-scope'))`.

const COOKIE_NAME = 'authjs.session-token';

export const requestScope: { sessionCookie: string | null; userAgent: string } = { sessionCookie: null, userAgent: 'attack-suite' };

export async function headers(): Promise<Headers> {
  return new Headers({ 'x-forwarded-proto': 'http', 'user-agent': requestScope.userAgent });
}

export async function cookies() {
  const read = (name: string) => (name === COOKIE_NAME && requestScope.sessionCookie ? { name, value: requestScope.sessionCookie } : undefined);
  return {
    get: read,
    getAll: () => (requestScope.sessionCookie ? [{ name: COOKIE_NAME, value: requestScope.sessionCookie }] : []),
    has: (name: string) => read(name) !== undefined,
    // The response's cookies: what a signed-out or password-changed session drops.
    set: () => undefined,
    delete: () => undefined,
  };
}

export async function draftMode() {
  return { isEnabled: false, enable: () => undefined, disable: () => undefined };
}
