import { expect, type Page } from '@playwright/test';
import sharp from 'sharp';
import { lfwImage } from '../support/lfw';

/** A CCTV-like still with two people side by side: `left` and `right` are LFW images. */
export async function twoFaceStill(left: [string, number], right: [string, number]): Promise<{ name: string; mimeType: string; buffer: Buffer }> {
  const buffer = await sharp({ create: { width: 420, height: 210, channels: 3, background: '#5a5f66' } })
    .composite([
      { input: lfwImage(...left), left: 20, top: 30 },
      { input: lfwImage(...right), left: 250, top: 30 },
    ])
    .jpeg({ quality: 92 })
    .toBuffer();
  return { name: 'two-people.jpg', mimeType: 'image/jpeg', buffer };
}

/** The detected face box furthest right on the still (the overlay's boxes are buttons "Face N…"). */
export async function clickRightmostFace(page: Page): Promise<void> {
  const boxes = page.getByRole('button', { name: /^Face \d+/ });
  await expect(boxes).toHaveCount(2, { timeout: 120_000 });
  const positions = await Promise.all([0, 1].map(async (index) => (await boxes.nth(index).boundingBox())?.x ?? 0));
  await boxes.nth(positions[0]! > positions[1]! ? 0 : 1).click();
}

export async function openCase(page: Page, reference: string): Promise<void> {
  await page.goto('/cases');
  await page.getByLabel('Case reference').fill(reference);
  await page.getByLabel('Offence').fill('Assault');
  await page.getByLabel('Purpose of the search').fill('Identify the person captured on the shop CCTV');
  await page.getByLabel('Legal basis').fill('Common law policing purpose');
  await page.getByRole('button', { name: 'Open case' }).click();
  await expect(page.getByRole('heading', { name: 'New search from a still' })).toBeVisible();
}

export async function enrolWatchlist(admin: Page, name: string, files: string[]): Promise<void> {
  await admin.goto('/admin/watchlists');
  await admin.getByLabel('Name', { exact: true }).fill(name);
  await admin.getByLabel('Purpose').fill('End-to-end test of enrolment and search');
  await admin.getByLabel('Legal authority').fill('Test authority');
  await admin.getByLabel('Next review').fill('2027-06-30');
  await admin.getByRole('button', { name: 'Create watch-list' }).click();
  await admin.getByRole('link', { name }).click();
  await admin.locator('input[type=file][accept="image/*"]').setInputFiles(files);
  await admin.getByRole('button', { name: new RegExp(`Enrol ${files.length} images`) }).click();
  await expect(admin.getByTestId('enrolment-summary')).toContainText(`${files.length} of ${files.length} done`, { timeout: 180_000 });
}

/** Runs the search form for the selected face, on the named watch-list only. */
export async function searchSelectedFace(page: Page, watchlist: string): Promise<void> {
  await page.getByLabel('Camera or location').fill('High Street, camera 3');
  const override = page.getByLabel('Reason to search a face of this quality');
  if (await override.isVisible()) await override.fill('The only still of the incident; lead to be verified.');
  const lists = page.getByRole('group', { name: 'Watch-lists to search' }).getByRole('checkbox');
  for (let index = 0; index < (await lists.count()); index += 1) await lists.nth(index).uncheck();
  await page.getByRole('checkbox', { name: new RegExp(watchlist) }).check();
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Search results' })).toBeVisible({ timeout: 60_000 });
}
