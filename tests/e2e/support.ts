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
