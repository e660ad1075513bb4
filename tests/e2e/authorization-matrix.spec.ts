import { randomUUID } from 'node:crypto';
import { expect, test, type APIRequestContext, type Browser } from '@playwright/test';
import { ROLE_HOME, type Role } from '@/lib/shared/roles';
import { MATRIX_ACTORS, ROUTE_MATRIX, type MatrixActor, type RouteOutcome } from '@/lib/shared/security/authorization-matrix';
import { createAccount, signIn, signInAs, signInFirstTime } from './support';
import { openCase } from './support-faces';

// Every route of the matrix (lib/shared/security/authorization-matrix.ts) over real HTTP against the
// running app, as each kind of caller: the proxy, the layouts, the pages and the route handlers as a
// browser meets them, with request contexts carrying each one's signed-in cookies (no navigation per
// request). The objects here are a case opened by the team's investigator; the other ids are ones
// nobody has, so a caller the matrix allows must get the 404 of a missing object, and every other
// caller exactly the refusal the matrix names. Every kind and state of object is tried, with the
// audit and nothing-else-changed checks, in tests/integration/authorization-matrix-routes.test.ts.

test.setTimeout(240_000);

const OTHER_TEAM = { email: 'matrix-team-b@demo.local', password: 'matrix other team password 1' };

type Caller = { actor: MatrixActor; role: Role | null; request: APIRequestContext };

async function callers(browser: Browser): Promise<{ callers: Caller[]; caseId: string; close(): Promise<void> }> {
  const contexts = await Promise.all(MATRIX_ACTORS.map(() => browser.newContext()));
  const pageOf = async (index: number) => contexts[index]!.newPage();
  const list: Caller[] = [];
  let caseId = '';
  for (const [index, actor] of MATRIX_ACTORS.entries()) {
    const page = await pageOf(index);
    let role: Role | null = null;
    if (actor === 'teamInvestigator') {
      await signInAs(page, 'investigator');
      await openCase(page, `OP/MATRIX/${Date.now()}`);
      caseId = /\/cases\/([0-9a-f-]{36})/.exec(page.url())![1]!;
      role = 'investigator';
    } else if (actor === 'secondReviewer') {
      await signIn(page, 'reviewer@demo.local');
      await expect(page).toHaveURL(/\/cases$/);
      role = 'investigator';
    } else if (actor === 'supervisor' || actor === 'admin') {
      await signInAs(page, actor);
      role = actor;
    } else if (actor === 'otherTeamInvestigator') {
      const adminContext = await browser.newContext();
      const admin = await adminContext.newPage();
      await signInAs(admin, 'admin');
      const temporary = await createAccount(admin, { email: OTHER_TEAM.email, name: 'Matrix Other Team', team: 'Matrix other unit' });
      await adminContext.close();
      await signInFirstTime(page, OTHER_TEAM.email, temporary, OTHER_TEAM.password);
      await expect(page).toHaveURL(/\/cases$/);
      role = 'investigator';
    }
    list.push({ actor, role, request: contexts[index]!.request });
  }
  return { callers: list, caseId, close: async () => Promise.all(contexts.map((context) => context.close())).then(() => undefined) };
}

function outcomeOf(status: number, location: string | undefined, body: string, role: Role | null): string {
  if (status >= 300 && status < 400) {
    const path = location ? new URL(location, 'http://x').pathname : '';
    if (path === '/sign-in') return 'sign-in';
    if (role && path === ROLE_HOME[role]) return 'home';
    return `redirect to ${path}`;
  }
  if (status === 200 && body.startsWith('{')) {
    const keys = Object.keys(JSON.parse(body) as object);
    if (keys.join() === 'status') return 'ok-anonymous';
  }
  return status === 200 ? 'ok' : String(status);
}

test('every route answers every kind of caller as the authorisation matrix says', async ({ browser }) => {
  const world = await callers(browser);
  let tried = 0;
  const wrong: string[] = [];
  const isGrant = (outcome: string) => outcome === 'ok' || outcome === 'ok-anonymous' || outcome === 'home';
  for (const [key, row] of Object.entries(ROUTE_MATRIX)) {
    const [method, pattern] = key.split(' ') as [string, string];
    const isRealObject = !pattern.includes('[') || pattern === '/cases/[caseId]';
    const path = pattern.replace(/\[(\w+)\]/g, (_, name: string) => (name === 'caseId' ? world.caseId : randomUUID()));
    for (const caller of world.callers) {
      const listed: RouteOutcome = row[caller.actor];
      // An id nobody has: where the matrix grants the object, the answer is that it does not exist.
      const expected = !isRealObject && listed === 'ok' ? '404' : listed;
      const response = await caller.request.fetch(path, { method, maxRedirects: 0 });
      const body = (response.headers()['content-type'] ?? '').includes('json') ? await response.text() : '';
      const got = outcomeOf(response.status(), response.headers().location, body, caller.role);
      tried += 1;
      if (got !== expected) wrong.push(`${key} as ${caller.actor}: expected ${expected}, got ${got}${isGrant(got) && !isGrant(expected) ? ' — UNEXPECTED GRANT' : ''}`);
    }
  }
  console.log(`[authorisation matrix over HTTP] ${tried} route cases tried, ${wrong.length} wrong`);
  await world.close();
  expect(wrong).toEqual([]);
});

// Markup typed into a case is stored as typed and shown as text: the rendered page carries it escaped,
// and no script of it runs. A server action posted with a 30 MB body is refused before it is read, and
// the server stays up.
test('markup in case fields is shown escaped; a 30 MB action body is refused and the server stays up', async ({ page }) => {
  const hostile = `<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> '; DROP TABLE cases; --`;
  let dialogs = 0;
  page.on('dialog', async (dialog) => {
    dialogs += 1;
    await dialog.dismiss();
  });
  await signInAs(page, 'investigator');
  await page.goto('/cases');
  const reference = `OP/MARKUP/${Date.now()}`;
  await page.getByLabel('Case reference').fill(reference);
  await page.getByLabel('Offence').fill(hostile);
  await page.getByLabel('Purpose of the search').fill(hostile);
  await page.getByLabel('Legal basis').fill(hostile);
  const submitted = page.waitForRequest((request) => request.method() === 'POST' && Boolean(request.headers()['next-action']));
  await page.getByRole('button', { name: 'Open case' }).click();
  const action = await submitted;
  await expect(page.getByRole('heading', { level: 1 })).toContainText(reference);
  await expect(page.getByText(hostile).first()).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(dialogs).toBe(0);
  const html = await (await page.request.get(page.url())).text();
  expect(html).toContain('&lt;script&gt;window.__pwned = 1&lt;/script&gt;');
  expect(html).not.toContain('<script>window.__pwned');
  expect(html).not.toContain('<img src=x onerror');

  const before = await (await page.request.get('/cases')).text();
  const huge = await page.request.post('/cases', {
    headers: { 'next-action': action.headers()['next-action']!, 'content-type': 'text/plain;charset=UTF-8', accept: 'text/x-component' },
    data: 'x'.repeat(30 * 1024 * 1024),
    maxRedirects: 0,
  });
  expect(huge.status(), 'a 30 MB server action body').toBeGreaterThanOrEqual(400);
  expect((await page.request.get('/api/health')).status()).toBe(200);
  expect((await (await page.request.get('/cases')).text()).split('OP/MARKUP/').length).toBe(before.split('OP/MARKUP/').length);
});
