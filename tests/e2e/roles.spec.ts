import { expect, test, type Page } from '@playwright/test';
import { ROLES, type Role } from '@/lib/shared/roles';
import { ROLE_HOMES, signIn, signInAs } from './support';

const PAGES: { path: string; role: Role }[] = [
  { path: '/cases', role: 'investigator' },
  { path: '/reviews', role: 'investigator' },
  { path: '/disclosures', role: 'supervisor' },
  { path: '/admin', role: 'admin' },
  { path: '/admin/users', role: 'admin' },
  { path: '/admin/watchlists', role: 'admin' },
  { path: '/admin/audit', role: 'admin' },
  { path: '/admin/settings', role: 'admin' },
];

test.describe('without a session', () => {
  for (const { path } of PAGES) {
    test(`${path} sends you to sign-in`, async ({ page }) => {
      await page.goto(path);
      await expect(page).toHaveURL(/\/sign-in/);
      await expect(page.getByRole('heading', { name: 'RFR Workstation' })).toBeVisible();
    });
  }

  test('API routes answer 401 without data, health stays public', async ({ request }) => {
    const refused = await request.get('/api/v1/anything', { maxRedirects: 0 });
    expect(refused.status()).toBe(401);
    expect(await refused.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    const health = await request.get('/api/health');
    expect(health.status()).toBe(200);
    // Up or not, and nothing else, to someone not signed in (the details are for administrators).
    expect(await health.json()).toEqual({ status: 'ok' });
  });

  test('a tampered session cookie is no session', async ({ page, context }) => {
    await context.addCookies([{ name: 'authjs.session-token', value: 'forged.token.value', url: 'http://127.0.0.1' }]);
    await page.goto('/admin');
    await expect(page).toHaveURL(/\/sign-in/);
  });

  test('a wrong password gets one generic message', async ({ page }) => {
    await signIn(page, 'investigator@demo.local', 'not the password');
    await expect(page.locator('#sign-in-error')).toHaveText('E-mail or password not recognised.');
    await signIn(page, 'nobody@demo.local', 'not the password');
    await expect(page.locator('#sign-in-error')).toHaveText('E-mail or password not recognised.');
  });
});

for (const role of ROLES) {
  test.describe(`as ${role}`, () => {
    test('lands on their home and is refused everywhere else', async ({ page }) => {
      await signInAs(page, role);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(ROLE_HOMES[role].heading);
      await expect(page.getByTestId('signed-in-as')).toContainText('Demo');

      for (const other of PAGES.filter((entry) => entry.role !== role)) {
        const response = await page.goto(other.path);
        expect(response?.status(), other.path).toBe(403);
        await expect(page.getByRole('heading', { name: 'Not permitted' })).toBeVisible();
        await expect(page.locator('table')).toHaveCount(0);
      }
    });
  });
}

test('investigator opens a case, sees it listed, and the audit log records it', async ({ page, browser }) => {
  await signInAs(page, 'investigator');
  const reference = `OP/E2E/${Date.now()}`;
  await page.getByLabel('Case reference').fill(reference);
  await page.getByLabel('Offence').fill('Robbery');
  await page.getByLabel('Purpose of the search').fill('Identify the person seen in the CCTV still');
  await page.getByLabel('Legal basis').fill('Common law policing purpose');
  await page.getByRole('button', { name: 'Open case' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText(reference);

  // Malformed input is refused with field errors and nothing is created.
  await page.goto('/cases');
  await page.getByLabel('Case reference').fill('x');
  await page.getByLabel('Offence').fill('Robbery');
  await page.getByLabel('Purpose of the search').fill('short');
  await page.getByLabel('Legal basis').fill('PACE');
  await page.getByRole('button', { name: 'Open case' }).click();
  await expect(page.getByText('Reference must be at least 3 characters.')).toBeVisible();
  await expect(page.getByRole('link', { name: 'x', exact: true })).toHaveCount(0);

  const adminPage = await (await browser.newContext()).newPage();
  await signInAs(adminPage, 'admin');
  await adminPage.goto('/admin/audit');
  await expect(adminPage.getByTestId('chain-status')).toContainText('Hash chain intact');
  await expect(adminPage.getByRole('cell', { name: 'case.open' }).first()).toBeVisible();
});

test('a server action replayed by the wrong role is refused and changes nothing', async ({ page, browser }) => {
  // Capture a real admin "create user" action call, then replay it with an investigator's session.
  const admin = await (await browser.newContext()).newPage();
  await signInAs(admin, 'admin');
  await admin.goto('/admin/users');
  const captured = capturedActionCall(admin);
  await admin.getByLabel('E-mail').fill('legit@demo.local');
  await admin.getByLabel('Name').fill('Legit User');
  await admin.getByLabel('Team', { exact: true }).fill('Demo investigations team');
  await admin.getByLabel('Initial password').fill('a long enough password');
  await admin.getByRole('button', { name: 'Create account' }).click();
  await expect(admin.getByText('Account created.')).toBeVisible();
  const call = await captured;

  await signInAs(page, 'investigator');
  const forged = call.body.replace('legit@demo.local', 'forged@demo.local');
  const response = await page.request.post('/admin/users', { headers: call.headers, data: forged });
  expect(await response.text()).toContain('FORBIDDEN');

  await admin.reload();
  await expect(admin.getByRole('cell', { name: 'legit@demo.local' })).toBeVisible();
  await expect(admin.getByRole('cell', { name: 'forged@demo.local' })).toHaveCount(0);
});

test('a disabled account is signed out at its next request and cannot sign in', async ({ page, browser }) => {
  const admin = await (await browser.newContext()).newPage();
  await signInAs(admin, 'admin');
  await admin.goto('/admin/users');
  await admin.getByLabel('E-mail').fill('temp@demo.local');
  await admin.getByLabel('Name').fill('Temporary Investigator');
  await admin.getByLabel('Team', { exact: true }).fill('Demo investigations team');
  await admin.getByLabel('Initial password').fill('temporary password 1');
  await admin.getByRole('button', { name: 'Create account' }).click();
  await expect(admin.getByRole('cell', { name: 'temp@demo.local' })).toBeVisible();

  await signIn(page, 'temp@demo.local', 'temporary password 1');
  await expect(page).toHaveURL(/\/cases$/);

  admin.on('dialog', (dialog) => dialog.accept());
  await admin.getByRole('row', { name: /temp@demo\.local/ }).getByRole('button', { name: 'Disable' }).click();
  await expect(admin.getByRole('row', { name: /temp@demo\.local/ })).toContainText('disabled');

  await page.goto('/cases');
  await expect(page).toHaveURL(/\/sign-in/);
  await signIn(page, 'temp@demo.local', 'temporary password 1');
  await expect(page.locator('#sign-in-error')).toContainText('disabled');
});

async function capturedActionCall(page: Page): Promise<{ headers: Record<string, string>; body: string }> {
  const request = await page.waitForRequest((candidate) => candidate.method() === 'POST' && Boolean(candidate.headers()['next-action']));
  const headers = request.headers();
  return {
    headers: {
      'next-action': headers['next-action'] ?? '',
      'content-type': headers['content-type'] ?? 'text/plain;charset=UTF-8',
      accept: 'text/x-component',
    },
    body: request.postData() ?? '',
  };
}
