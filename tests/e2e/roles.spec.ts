import { expect, test, type Page } from '@playwright/test';
import { ROLES, type Role } from '@/lib/shared/roles';
import { choosePassword, createAccount, ROLE_HOMES, signIn, signInAs, signInFirstTime } from './support';

const PAGES: { path: string; role: Role }[] = [
  { path: '/cases', role: 'investigator' },
  { path: '/reviews', role: 'investigator' },
  { path: '/disclosures', role: 'supervisor' },
  { path: '/admin', role: 'admin' },
  { path: '/admin/users', role: 'admin' },
  { path: '/admin/watchlists', role: 'admin' },
  { path: '/admin/audit', role: 'admin' },
  { path: '/admin/settings', role: 'admin' },
  { path: '/admin/models', role: 'admin' },
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
    const refused = await request.get('/api/oversight/export', { maxRedirects: 0 });
    expect(refused.status()).toBe(401);
    expect(await refused.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    // The v1 API checks its own bearer tokens (tests/e2e/api-v1.spec.ts): without one, a problem document.
    const v1 = await request.get('/api/v1/watchlists', { maxRedirects: 0 });
    expect(v1.status()).toBe(401);
    expect(v1.headers()['content-type']).toContain('application/problem+json');
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

test('the model registry lists every model with its hash and licence, and the recogniser its calibration', async ({ page }) => {
  await signInAs(page, 'admin');
  await page.goto('/admin/models');
  const registry = page.getByTestId('model-registry');
  await expect(registry).toContainText('faceplugin-fr-feature-512@0.0.1');
  await expect(registry).toContainText(/[0-9a-f]{64}/);
  await expect(registry).toContainText('impostor');
});

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
  await createAccount(admin, { email: 'legit@demo.local', name: 'Legit User', team: 'Demo investigations team' });
  const call = await captured;

  await signInAs(page, 'investigator');
  const forged = call.body.replace('legit@demo.local', 'forged@demo.local');
  const response = await page.request.post('/admin/users', { headers: call.headers, data: forged });
  expect(await response.text()).toContain('FORBIDDEN');

  await admin.reload();
  await expect(admin.getByRole('cell', { name: 'legit@demo.local' })).toBeVisible();
  await expect(admin.getByRole('cell', { name: 'forged@demo.local' })).toHaveCount(0);
});

test('a session cookie copied before sign-out opens nothing afterwards, and no response extends it', async ({ page, browser }) => {
  await signInAs(page, 'investigator');
  const [sessionCookie] = (await page.context().cookies()).filter((cookie) => cookie.name.endsWith('authjs.session-token'));
  expect(sessionCookie).toBeDefined();
  // Issued for the session's absolute lifetime (eight hours by default), not a minute more.
  expect(sessionCookie!.expires * 1000 - Date.now()).toBeLessThanOrEqual(8 * 60 * 60 * 1000);
  expect(sessionCookie!.expires * 1000 - Date.now()).toBeGreaterThan(7.9 * 60 * 60 * 1000);

  // Pages, navigation and actions never re-issue the cookie.
  for (const path of ['/cases', '/reviews', '/']) {
    const response = await page.request.get(path, { maxRedirects: 0 });
    const reissued = response.headersArray().filter((header) => header.name.toLowerCase() === 'set-cookie' && header.value.includes('session-token'));
    expect(reissued, path).toEqual([]);
  }
  await page.goto('/cases');
  const reference = `OP/COPY/${Date.now()}`;
  const captured = capturedActionCall(page);
  await page.getByLabel('Case reference').fill(reference);
  await page.getByLabel('Offence').fill('Burglary');
  await page.getByLabel('Purpose of the search').fill('Identify the person seen in the CCTV still');
  await page.getByLabel('Legal basis').fill('Common law policing purpose');
  await page.getByRole('button', { name: 'Open case' }).click();
  const call = await captured;
  await expect(page.getByRole('heading', { level: 1 })).toContainText(reference);

  const copied = await page.context().cookies();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in$/);

  const thief = await browser.newContext();
  await thief.addCookies(copied);
  const stolen = await thief.newPage();
  await stolen.goto('/cases');
  await expect(stolen).toHaveURL(/\/sign-in$/);
  await expect(stolen.getByRole('heading', { name: 'RFR Workstation' })).toBeVisible();
  const replayed = `${reference}/REPLAYED`;
  const response = await stolen.request.post('/cases', { headers: call.headers, data: call.body.replace(reference, replayed) });
  expect(await response.text()).toContain('UNAUTHENTICATED');

  await signInAs(page, 'investigator');
  await expect(page.getByRole('link', { name: reference, exact: true })).toBeVisible();
  await expect(page.getByRole('link', { name: replayed })).toHaveCount(0);
});

test('a new account starts with a temporary password that opens only the page replacing it', async ({ page, browser }) => {
  const admin = await (await browser.newContext()).newPage();
  await signInAs(admin, 'admin');
  const temporaryPassword = await createAccount(admin, { email: 'starter@demo.local', name: 'New Starter', team: 'Demo investigations team' });
  // Shown once: a reload does not show it again.
  await admin.reload();
  await expect(admin.getByTestId('temporary-password')).toHaveCount(0);
  await expect(admin.getByRole('row', { name: /starter@demo\.local/ })).toContainText('temporary password');

  await signIn(page, 'starter@demo.local', temporaryPassword);
  await expect(page).toHaveURL(/\/account\/password$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Choose your password');
  await page.goto('/cases');
  await expect(page).toHaveURL(/\/account\/password$/);
  await choosePassword(page, temporaryPassword, 'a password only I know');
  await expect(page.getByRole('status')).toContainText('Password changed');
  await signIn(page, 'starter@demo.local', 'a password only I know');
  await expect(page).toHaveURL(/\/cases$/);

  // A reset: a new temporary password, and the holder is signed out at once.
  admin.on('dialog', (dialog) => dialog.accept());
  await admin.getByRole('row', { name: /starter@demo\.local/ }).getByRole('button', { name: 'Reset password' }).click();
  const reset = (await admin.getByTestId('temporary-password').textContent())!.trim();
  await page.goto('/cases');
  await expect(page).toHaveURL(/\/sign-in$/);
  await signIn(page, 'starter@demo.local', 'a password only I know');
  await expect(page.locator('#sign-in-error')).toHaveText('E-mail or password not recognised.');
  await signInFirstTime(page, 'starter@demo.local', reset, 'another password only I know');
  await expect(page).toHaveURL(/\/cases$/);
  // The refused sign-in (the old password) is reported to the holder, until dismissed.
  await expect(page.getByTestId('sign-in-notice')).toContainText('One sign-in to your account was refused');
  await page.getByTestId('sign-in-notice').getByRole('button', { name: 'Dismiss' }).click();
  await expect(page.getByTestId('sign-in-notice')).toHaveCount(0);

  // A new role ends their sessions; they sign in again as what they now are.
  await admin.reload();
  const row = admin.getByRole('row', { name: /starter@demo\.local/ });
  await row.getByLabel('Role of starter@demo.local').selectOption({ label: 'Supervisor' });
  await row.getByRole('button', { name: 'Set role' }).click();
  await expect(admin.getByRole('row', { name: /starter@demo\.local/ }).getByLabel('Role of starter@demo.local')).toHaveValue('supervisor');
  await page.goto('/cases');
  await expect(page).toHaveURL(/\/sign-in$/);
  await signIn(page, 'starter@demo.local', 'another password only I know');
  await expect(page).toHaveURL(/\/disclosures$/);

  // Every role reaches its own password page from the shell; an administrator's own row has no role control.
  await page.getByRole('link', { name: 'Change password' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Change password');
  await expect(admin.getByRole('row', { name: /admin@demo\.local/ })).toContainText('you');
  await expect(admin.getByLabel('Role of admin@demo.local')).toHaveCount(0);
});

test('a disabled account is signed out at its next request and cannot sign in', async ({ page, browser }) => {
  const admin = await (await browser.newContext()).newPage();
  await signInAs(admin, 'admin');
  const temporaryPassword = await createAccount(admin, { email: 'temp@demo.local', name: 'Temporary Investigator', team: 'Demo investigations team' });
  await expect(admin.getByRole('cell', { name: 'temp@demo.local' })).toBeVisible();

  await signInFirstTime(page, 'temp@demo.local', temporaryPassword, 'temporary password 1');
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
