import { expect, test, type APIResponse, type Page } from '@playwright/test';
import type { Role } from '@/lib/shared/roles';
import { signInAs } from './support';

// Every page is served with a strict Content-Security-Policy whose script nonce is fresh per response,
// and carries no script the nonce does not cover; HSTS comes with HTTPS. The walkthrough spec
// (search.spec.ts) shows the WASM worker and the models still load under it.

const PAGES: Record<Role, string[]> = {
  investigator: ['/cases', '/reviews', '/account/password', '/admin', '/no-such-page'],
  supervisor: ['/disclosures', '/oversight', '/account/password', '/cases'],
  admin: ['/admin', '/admin/users', '/admin/watchlists', '/admin/audit', '/admin/settings', '/admin/oversight', '/account/password', '/disclosures'],
};

function nonceOf(response: APIResponse): string {
  const policy = response.headers()['content-security-policy'];
  expect(policy, response.url()).toBeTruthy();
  const scriptSrc = policy!.split(';').map((part) => part.trim()).find((part) => part.startsWith('script-src '));
  const nonce = /'nonce-([A-Za-z0-9+/_-]+={0,2})'/.exec(scriptSrc ?? '')?.[1];
  expect(nonce, `script nonce in ${response.url()}`).toBeTruthy();
  for (const directive of ["'strict-dynamic'", "'wasm-unsafe-eval'"]) expect(scriptSrc).toContain(directive);
  expect(scriptSrc).not.toContain("'unsafe-inline'");
  for (const directive of ["worker-src 'self' blob:", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'none'"]) expect(policy).toContain(directive);
  return nonce!;
}

async function expectOnlyNoncedScripts(response: APIResponse): Promise<number> {
  const nonce = nonceOf(response);
  const html = await response.text();
  const scripts = [...html.matchAll(/<script\b[^>]*>/gi)].map((match) => match[0]);
  expect(scripts.length, response.url()).toBeGreaterThan(0);
  for (const tag of scripts) expect(tag, response.url()).toContain(`nonce="${nonce}"`);
  // No inline event handlers either (a nonce cannot cover those).
  expect(html.match(/<[a-z][^>]*\son[a-z]+\s*=/gi) ?? [], response.url()).toEqual([]);
  expect(response.headers()['cross-origin-opener-policy']).toBe('same-origin');
  expect(response.headers()['cross-origin-embedder-policy']).toBe('require-corp');
  return scripts.length;
}

test('anonymous responses carry the policy: sign-in page, redirects and refused API calls', async ({ request }) => {
  const signIn = await request.get('/sign-in');
  await expectOnlyNoncedScripts(signIn);
  expect(nonceOf(await request.get('/sign-in'))).not.toBe(nonceOf(signIn));
  nonceOf(await request.get('/cases', { maxRedirects: 0 }));
  nonceOf(await request.get('/api/v1/anything'));
});

test('HSTS only over HTTPS (directly or through a TLS-terminating proxy)', async ({ request }) => {
  const plain = await request.get('/sign-in');
  expect(plain.headers()['strict-transport-security']).toBeUndefined();
  expect(plain.headers()['content-security-policy']).not.toContain('upgrade-insecure-requests');
  const viaProxy = await request.get('/sign-in', { headers: { 'x-forwarded-proto': 'https' } });
  expect(viaProxy.headers()['strict-transport-security']).toMatch(/^max-age=\d{8,}; includeSubDomains$/);
  expect(viaProxy.headers()['content-security-policy']).toContain('upgrade-insecure-requests');
});

for (const role of Object.keys(PAGES) as Role[]) {
  test(`every page an ${role} opens carries the policy with a fresh nonce and no script without it`, async ({ page }) => {
    await signInAs(page, role);
    let scripts = 0;
    for (const path of PAGES[role]) scripts += await expectOnlyNoncedScripts(await page.request.get(path));
    console.info(`[csp] ${role}: ${PAGES[role].length} pages, ${scripts} script tags, every one with its response's nonce`);
  });
}

test('the browser runs the pages under the policy without a single violation', async ({ page }) => {
  const violations = await watchViolations(page);
  await signInAs(page, 'admin');
  for (const path of ['/admin', '/admin/users', '/admin/settings', '/admin/oversight', '/account/password']) {
    await page.goto(path);
    await page.waitForLoadState('networkidle');
  }
  // Hydrated (client code ran under the policy): a client-side form reacts.
  await page.goto('/admin/users');
  await page.getByLabel('E-mail').fill('not an address');
  expect(await violations()).toEqual([]);
});

async function watchViolations(page: Page): Promise<() => Promise<string[]>> {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __cspViolations: string[] }).__cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (event) => seen.push(`${event.violatedDirective} ${event.blockedURI}`));
  });
  const messages: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) messages.push(message.text());
  });
  return async () => [...messages, ...(await page.evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? []))];
}
