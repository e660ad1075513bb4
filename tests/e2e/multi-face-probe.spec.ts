import { expect, test } from '@playwright/test';
import { hasLfw, lfwImage, lfwMissingMessage } from '../support/lfw';
import { signInAs } from './support';
import { enrolWatchlist, openCase } from './support-faces';

// Several faces of one person make one probe (issue 11 §3), in a real browser on the real models: the
// investigator adds the face of one still to "this person", changes the still, adds the face of a
// second still of the same person, and searches both as one. The results page and the bench show both
// probe faces, and each candidate is compared with the face that scored best for it.
const GALLERY: [string, number][] = ['Colin_Powell', 'Serena_Williams', 'Gerhard_Schroeder'].flatMap((name) => [
  [name, 1],
  [name, 2],
]);

test.skip(!hasLfw, lfwMissingMessage);
test.setTimeout(420_000);

test('two stills of one person → add each face to this person → search both as one probe → "Probe faces (2)" on the results and the bench', async ({ browser }) => {
  const admin = await (await browser.newContext()).newPage();
  await signInAs(admin, 'admin');
  await enrolWatchlist(
    admin,
    'E2E multi-face',
    GALLERY.map(([name, index]) => lfwImage(name, index)),
  );

  const page = await (await browser.newContext()).newPage();
  await signInAs(page, 'investigator');
  await openCase(page, `OP/MULTI/${Date.now()}`);

  const addFace = page.getByRole('button', { name: 'Add this face to this person' });
  const tray = page.getByRole('region', { name: /^This person/ });

  // The first still: its one face is selected; once measured it can be added.
  await page.getByLabel('Choose a still').setInputFiles(lfwImage('Colin_Powell', 5));
  await expect(page.getByRole('heading', { name: 'Search this face' })).toBeVisible({ timeout: 120_000 });
  await addFace.click({ timeout: 120_000 });
  await expect(tray.getByRole('heading', { name: 'This person (1 face)' })).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('selected-in-tray')).toBeVisible();
  // One face is an ordinary Search: the tray's search waits for a second face.
  await expect(page.getByRole('button', { name: 'Search 1 face as one person' })).toBeDisabled();

  // Another still of the same person: the tray survives the change.
  await page.getByRole('button', { name: 'Another still' }).click();
  await expect(tray.getByRole('heading', { name: 'This person (1 face)' })).toBeVisible();
  await page.getByLabel('Choose a still').setInputFiles(lfwImage('Colin_Powell', 6));
  await expect(page.getByRole('heading', { name: 'Search this face' })).toBeVisible({ timeout: 120_000 });
  await addFace.click({ timeout: 120_000 });
  await expect(tray.getByRole('heading', { name: 'This person (2 faces)' })).toBeVisible({ timeout: 60_000 });
  await expect(tray.getByRole('listitem')).toHaveCount(2);
  await expect(tray.getByRole('button', { name: /^Remove Face 1 of Colin_Powell_0005\.jpg from this person$/ })).toBeVisible();
  await expect(tray.getByText(/^quality (good|usable|poor)$/)).toHaveCount(2);

  const lists = page.getByRole('group', { name: 'Watch-lists to search' }).getByRole('checkbox');
  for (let index = 0; index < (await lists.count()); index += 1) await lists.nth(index).uncheck();
  await page.getByRole('checkbox', { name: /E2E multi-face/ }).check();
  const override = page.getByLabel('Reason to search a face of this quality');
  if (await override.isVisible()) await override.fill('The only stills of the incident; lead to be verified.');
  await page.getByRole('button', { name: 'Search 2 faces as one person' }).click();

  await expect(page.getByRole('heading', { name: 'Search results' })).toBeVisible({ timeout: 60_000 });
  const strip = page.getByRole('region', { name: 'Probe faces (2)' });
  await expect(strip).toBeVisible();
  await expect(strip.getByRole('img', { name: /^Probe face [12]$/ })).toHaveCount(2);
  await expect(page.getByTestId('probe-facts')).toContainText('the best of 2 faces of one person');

  // The bench: each candidate beside one of the two probe faces, switchable.
  const bench = page.getByTestId('review-bench');
  await expect(bench).toHaveAttribute('data-hydrated', 'true');
  const switcher = bench.getByRole('group', { name: /^Compare Candidate face 1 with probe face$/ });
  const faces = switcher.getByRole('button');
  await expect(faces).toHaveCount(2);
  const shownFirst = (await faces.nth(0).getAttribute('aria-pressed')) === 'true' ? 0 : 1;
  await expect(faces.nth(shownFirst)).toHaveAttribute('aria-pressed', 'true');
  await faces.nth(1 - shownFirst).focus();
  await page.keyboard.press('Enter');
  await expect(faces.nth(1 - shownFirst)).toHaveAttribute('aria-pressed', 'true');
  await expect(bench.getByRole('img', { name: `Probe face ${2 - shownFirst}`, exact: true }).first()).toBeVisible();
});
