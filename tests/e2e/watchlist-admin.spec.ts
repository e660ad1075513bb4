import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import sharp from 'sharp';
import { hasLfw, lfwImage, lfwMissingMessage } from '../support/lfw';
import { signInAs } from './support';
import { enrolWatchlist } from './support-faces';

// The watch-list administration in a real browser: an administrator enrols a face, a two-person photo
// (set aside: several faces) and a picture of nobody (set aside: no face); edits the list's terms and
// sees the history with previous and new values; edits a subject; resolves the two-person photo by
// re-supplying the file and enrolling the right face; dismisses the other with a reason, after
// confirming. The list's version moves with each change that alters it.
const work = resolve(process.cwd(), 'tests/artifacts/watchlist-admin');

test.skip(!hasLfw, lfwMissingMessage);
test.setTimeout(420_000);

async function version(page: Page): Promise<number> {
  return Number((await page.getByTestId('watchlist-version').textContent())?.trim());
}

test('edit a watch-list and see its history, edit a subject, resolve a set-aside photo, dismiss another', async ({ browser }) => {
  mkdirSync(work, { recursive: true });
  // Generated from LFW at run time, never committed: two people side by side, and a plain grey picture.
  const twoPeople = resolve(work, 'Serena_Williams.jpg');
  writeFileSync(
    twoPeople,
    await sharp({ create: { width: 520, height: 260, channels: 3, background: '#5a5f66' } })
      .composite([
        { input: lfwImage('Colin_Powell', 1), left: 5, top: 5 },
        { input: lfwImage('Serena_Williams', 1), left: 265, top: 5 },
      ])
      .jpeg({ quality: 92 })
      .toBuffer(),
  );
  const nobody = resolve(work, 'Nobody.jpg');
  writeFileSync(nobody, await sharp({ create: { width: 300, height: 300, channels: 3, background: '#8a8f96' } }).jpeg().toBuffer());

  const admin = await (await browser.newContext()).newPage();
  await signInAs(admin, 'admin');
  const name = `Admin console list ${Date.now()}`;
  await enrolWatchlist(admin, name, [lfwImage('Colin_Powell', 2), twoPeople, nobody]);
  await expect(admin.getByTestId('enrolment-summary')).toContainText('1 enrolled · 0 already there · 2 set aside');
  await admin.reload();
  const listUrl = admin.url();
  // Created (1), one face enrolled (2); setting images aside changes nothing searchable.
  expect(await version(admin)).toBe(2);

  // The subject list shows the enrolled face through the enrolled-crop route.
  const colin = admin.getByRole('img', { name: 'Enrolled face of Colin_Powell' });
  await colin.scrollIntoViewIfNeeded();
  await expect.poll(() => colin.evaluate((image: HTMLImageElement) => (image.complete ? image.naturalWidth : 0))).toBe(112);

  // Edit the terms: purpose, legal basis, retention, review date.
  const terms = admin.getByRole('form', { name: 'Edit watch-list' });
  await terms.getByLabel('Purpose').fill('Locate people wanted on warrant, reviewed monthly');
  await terms.getByLabel('Legal basis').fill('Police and Criminal Evidence Act 1984, s. 17');
  await terms.getByLabel('Retention (days)').fill('180');
  await terms.getByLabel('Review date').fill('2027-12-31');
  await terms.getByRole('button', { name: 'Save watch-list' }).click();
  await expect(terms.getByRole('status')).toHaveText('Watch-list saved.');
  await expect(admin.getByTestId('watchlist-version')).toHaveText('3');
  const history = admin.getByTestId('watchlist-history');
  await expect(history).toContainText('Terms edited');
  await expect(history.getByRole('row', { name: /Retention \(days\)/ })).toContainText('365');
  await expect(history.getByRole('row', { name: /Retention \(days\)/ })).toContainText('180');
  await expect(history.getByRole('row', { name: /Legal basis/ })).toContainText('Test authority');
  await expect(history.getByRole('row', { name: /Legal basis/ })).toContainText('Police and Criminal Evidence Act 1984, s. 17');
  await expect(history.getByRole('row', { name: /Review date/ })).toContainText('2027-06-30');

  // Saving again without a change is refused and adds nothing.
  await terms.getByRole('button', { name: 'Save watch-list' }).click();
  await expect(terms.getByRole('alert')).toContainText('Nothing was changed.');
  await expect(admin.getByTestId('watchlist-version')).toHaveText('3');

  // Edit a subject.
  await admin.getByRole('row', { name: /Colin_Powell/ }).getByText('Edit', { exact: true }).click();
  const subject = admin.getByRole('form', { name: 'Edit subject Colin_Powell' });
  await subject.getByLabel('Reference').fill('CP-0002');
  await subject.getByLabel('Name').fill('Colin Powell');
  await subject.getByRole('button', { name: 'Save subject' }).click();
  await expect(admin.getByRole('img', { name: 'Enrolled face of CP-0002' })).toBeVisible();
  await expect(admin.getByTestId('watchlist-version')).toHaveText('4');
  await expect(history.getByRole('row', { name: /Subject edited/ })).toContainText('Colin_Powell');
  await expect(history.getByRole('row', { name: /Subject edited/ })).toContainText('CP-0002');

  // Resolve the two-person photo: the wrong file is refused, the right one shows both faces.
  const resolveTwo = admin.getByRole('group', { name: 'Resolve Serena_Williams.jpg' });
  await resolveTwo.getByLabel('Original image file').setInputFiles(nobody);
  await expect(resolveTwo).toContainText('Not the image that was set aside');
  await resolveTwo.getByLabel('Original image file').setInputFiles(twoPeople);
  const faces = resolveTwo.getByRole('list', { name: 'Faces found' }).getByRole('group');
  await expect(faces).toHaveCount(2, { timeout: 60_000 });
  await expect(resolveTwo.getByRole('img', { name: /^Face 1, / })).toBeVisible();
  await resolveTwo.getByRole('group', { name: 'Face 2' }).getByRole('button', { name: 'Enrol this face' }).click();
  // The entry moves from the open list to the resolved one (the page refreshes itself).
  await expect(admin.getByTestId('set-aside-resolved').getByRole('row', { name: /Serena_Williams\.jpg/ })).toBeVisible({ timeout: 60_000 });
  await admin.goto(listUrl);
  await expect(admin.getByTestId('watchlist-version')).toHaveText('5');
  await expect(admin.getByRole('img', { name: 'Enrolled face of Serena_Williams' })).toBeVisible();
  const resolved = admin.getByTestId('set-aside-resolved');
  await expect(resolved.getByRole('row', { name: /Serena_Williams\.jpg/ })).toContainText('face enrolled');
  await expect(resolved.getByRole('img', { name: 'Face enrolled from Serena_Williams.jpg' })).toBeVisible();
  await expect(admin.getByTestId('watchlist-contents')).toContainText('2 subjects, 2 searchable faces');

  // Dismiss the picture of nobody: a reason is required, and the dismissal is confirmed first.
  const resolveNobody = admin.getByRole('group', { name: 'Resolve Nobody.jpg' });
  await resolveNobody.getByLabel('Reason for dismissal').fill('Blank picture: there is no one to enrol.');
  await resolveNobody.getByRole('button', { name: 'Dismiss' }).click();
  const dialog = admin.getByRole('dialog', { name: 'Dismiss this set-aside image?' });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await expect(admin.getByTestId('set-aside')).toContainText('Nobody.jpg');
  await resolveNobody.getByRole('button', { name: 'Dismiss' }).click();
  await admin.getByRole('dialog', { name: 'Dismiss this set-aside image?' }).getByRole('button', { name: 'Confirm dismissal' }).click();
  await expect(admin.getByText('Nothing set aside.')).toBeVisible({ timeout: 30_000 });
  await admin.goto(listUrl);
  await expect(admin.getByText('Nothing set aside.')).toBeVisible();
  await expect(resolved.getByRole('row', { name: /Nobody\.jpg/ })).toContainText('dismissed: Blank picture: there is no one to enrol.');
  // A dismissal changes nothing searchable: the version stays.
  await expect(admin.getByTestId('watchlist-version')).toHaveText('5');
  await expect(history.getByRole('row', { name: /Set-aside image dismissed/ })).toBeVisible();
  await expect(history.getByRole('row', { name: /Set-aside image enrolled/ })).toContainText('face 2 of 2');

  // No other role reaches the page or its forms.
  const investigator = await (await browser.newContext()).newPage();
  await signInAs(investigator, 'investigator');
  const response = await investigator.goto(listUrl);
  expect(response?.status()).toBe(403);
  await expect(investigator.getByRole('button', { name: 'Save watch-list' })).toHaveCount(0);
});
