import { expect, type Page } from '@playwright/test';
import { E2E_DEMO_PASSWORD } from '../../playwright.config';
import type { Role } from '@/lib/shared/roles';

export const ROLE_HOMES: Record<Role, { path: string; heading: RegExp }> = {
  investigator: { path: '/cases', heading: /^Cases$/ },
  supervisor: { path: '/disclosures', heading: /^Disclosure queue$/ },
  admin: { path: '/admin', heading: /^Administration$/ },
};

export async function signIn(page: Page, email: string, password = E2E_DEMO_PASSWORD): Promise<void> {
  await page.goto('/sign-in');
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export async function signInAs(page: Page, role: Role): Promise<void> {
  await signIn(page, `${role}@demo.local`);
  await expect(page).toHaveURL(new RegExp(`${ROLE_HOMES[role].path}$`));
}

export type NewAccount = { email: string; name: string; team?: string; role?: 'Investigator' | 'Supervisor' | 'Administrator' };

/**
 * Creates an account from /admin/users as a signed-in administrator and returns the temporary
 * password the server showed once (nobody chooses it).
 */
export async function createAccount(admin: Page, account: NewAccount): Promise<string> {
  await admin.goto('/admin/users');
  await admin.getByLabel('E-mail').fill(account.email);
  await admin.getByLabel('Name').fill(account.name);
  if (account.role) await admin.getByLabel('Role', { exact: true }).selectOption({ label: account.role });
  if (account.team) await admin.getByLabel('Team', { exact: true }).fill(account.team);
  await admin.getByRole('button', { name: 'Create account' }).click();
  await expect(admin.getByText('Account created.')).toBeVisible();
  return (await admin.getByTestId('temporary-password').textContent())!.trim();
}

/** Signs in with a temporary password, which leads only to choosing one's own; then signs in with that. */
export async function signInFirstTime(page: Page, email: string, temporaryPassword: string, password: string): Promise<void> {
  await signIn(page, email, temporaryPassword);
  await expect(page).toHaveURL(/\/account\/password$/);
  await choosePassword(page, temporaryPassword, password);
  await signIn(page, email, password);
}

export async function choosePassword(page: Page, current: string, password: string): Promise<void> {
  await page.getByLabel(/^(Temporary|Current) password$/).fill(current);
  await page.getByLabel('New password', { exact: true }).fill(password);
  await page.getByLabel('Repeat the new password').fill(password);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page).toHaveURL(/\/sign-in\?password=changed$/);
}
