import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { hasLfw, lfwImage, lfwMissingMessage } from '../support/lfw';
import { signIn, signInAs } from './support';
import { enrolWatchlist, openCase, searchSelectedFace } from './support-faces';

// The supervisor's desk in a real browser: a confirmed possible match (first review, then the blind
// second review) is put forward, the supervisor reads the whole story on one page, approves it with a
// rationale after a confirmation, and the disclosure pack downloads — for the supervisor and for the
// investigator beside the candidate. Its own watch-list and a gallery of three LFW images.
const artefacts = resolve(process.cwd(), 'tests/artifacts/screenshots');
const WATCHLIST = 'E2E disclosure desk';
const GALLERY: [string, number][] = [
  ['Colin_Powell', 1],
  ['Colin_Powell', 2],
  ['Serena_Williams', 1],
];
const RATIONALE = 'Two independent reviewers agree on the hairline and brow; proportionate to an assault.';

test.skip(!hasLfw, lfwMissingMessage);
test.setTimeout(360_000);

const newPage = async (browser: Browser): Promise<Page> => (await browser.newContext({ acceptDownloads: true })).newPage();

async function downloadPack(page: Page, where: ReturnType<Page['getByRole']>): Promise<Buffer> {
  const [download] = await Promise.all([page.waitForEvent('download'), where.click()]);
  expect(download.suggestedFilename()).toMatch(/^disclosure-pack-.+\.pdf$/);
  return readFileSync((await download.path())!);
}

test('a confirmed possible match → the whole story → Approve with a rationale → the disclosure pack downloads', async ({ browser }) => {
  mkdirSync(artefacts, { recursive: true });
  const admin = await newPage(browser);
  await signInAs(admin, 'admin');
  await enrolWatchlist(admin, WATCHLIST, GALLERY.map(([name, index]) => lfwImage(name, index)));
  await expect(admin.getByTestId('enrolment-summary')).toContainText('3 enrolled');

  // First review by the investigator who searched: candidate 1 a possible match, the rest no match.
  const page = await newPage(browser);
  await signInAs(page, 'investigator');
  const reference = `OP/DISCLOSE/${Date.now()}`;
  await openCase(page, reference);
  await page.getByLabel('Choose a still').setInputFiles(lfwImage('Colin_Powell', 5));
  await expect(page.getByRole('heading', { name: 'Search this face' })).toBeVisible({ timeout: 120_000 });
  await searchSelectedFace(page, WATCHLIST);
  const searchUrl = page.url();
  const bench = page.getByTestId('review-bench');
  await expect(bench).toHaveAttribute('data-hydrated', 'true');
  const count = await bench.getByRole('button', { name: /^Candidate face \d+$/ }).count();
  const leadCrop = await bench.getByRole('button', { name: 'Candidate face 1' }).locator('img').getAttribute('src');
  await page.getByRole('button', { name: 'Possible match' }).click();
  await page.getByLabel('Rationale').fill('Same hairline, brow and mouth corners at full zoom.');
  for (let index = 1; index < count; index += 1) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('n');
  }
  await page.getByRole('button', { name: 'Commit decisions' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
  await expect(bench.getByRole('button', { name: /^Candidate face 1: / })).toBeVisible({ timeout: 30_000 });

  // The blind second review agrees on the same face.
  const reviewer = await newPage(browser);
  await signIn(reviewer, 'reviewer@demo.local');
  await reviewer.getByRole('link', { name: 'Second review' }).click();
  await reviewer.getByRole('link', { name: `Take second review of ${reference}` }).click();
  const blind = reviewer.getByTestId('review-bench');
  await expect(blind).toHaveAttribute('data-hydrated', 'true', { timeout: 30_000 });
  const thumbnails = blind.getByRole('button', { name: /^Candidate face \d+$/ });
  for (let index = 0; index < count; index += 1) {
    await thumbnails.nth(index).click();
    if ((await thumbnails.nth(index).locator('img').getAttribute('src')) === leadCrop) {
      await reviewer.getByRole('button', { name: 'Possible match' }).click();
      await reviewer.getByLabel('Rationale').fill('Hairline and ear agree; nothing dissimilar.');
    } else {
      await reviewer.getByRole('button', { name: 'No match', exact: true }).click();
    }
  }
  await reviewer.getByRole('button', { name: 'Commit decisions' }).click();
  await reviewer.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
  const row = reviewer.getByTestId('comparison-row').filter({ hasText: 'Confirmed possible match' });
  await expect(row).toHaveCount(1, { timeout: 30_000 });
  await row.getByLabel('Statement').fill('Both reviewers agree; a lead for the officer in the case to verify.');
  await row.getByRole('button', { name: 'Request disclosure' }).click();
  await expect(row.getByTestId('disclosure-status')).toContainText('pending');

  // The supervisor opens the request from the queue and reads the whole story on one page.
  const supervisor = await newPage(browser);
  await signInAs(supervisor, 'supervisor');
  const queued = supervisor.getByTestId('disclosure-queue').getByRole('row').filter({ hasText: reference });
  await queued.getByRole('link', { name: /Open the disclosure request/ }).click();
  await expect(supervisor.getByRole('heading', { name: `Disclosure request: case ${reference}` })).toBeVisible();
  const disclosureUrl = supervisor.url();
  const story = supervisor.getByTestId('whole-story');
  await expect(story).toContainText('Facial recognition gives an investigative lead, not an identification.');
  await expect(story.getByTestId('story-case')).toContainText('Common law policing purpose');
  await expect(story.getByTestId('story-search')).toContainText(WATCHLIST);
  await expect(story.getByTestId('story-candidate')).toHaveCount(count);
  await expect(story.getByTestId('story-candidate').first()).toContainText('Same hairline, brow and mouth corners at full zoom.');
  await expect(story.getByTestId('story-candidate').first()).toContainText('Hairline and ear agree; nothing dissimilar.');
  await expect(story.getByRole('img', { name: 'Probe face searched' })).toHaveJSProperty('complete', true);
  expect(await story.getByRole('img', { name: 'Probe face searched' }).evaluate((image: HTMLImageElement) => image.naturalWidth)).toBeGreaterThan(0);

  // A decision needs a rationale, and a confirmation.
  const decide = supervisor.getByTestId('decide-disclosure');
  await expect(decide).toHaveAttribute('aria-label', /Decide on the disclosure/);
  await supervisor.getByRole('button', { name: 'Approve', exact: true }).click();
  await expect(decide).toContainText('Write the rationale');
  await expect(supervisor.getByRole('dialog')).toHaveCount(0);
  await supervisor.getByLabel('Rationale', { exact: true }).fill(RATIONALE);
  await supervisor.getByRole('button', { name: 'Approve', exact: true }).click();
  const dialog = supervisor.getByRole('dialog');
  await expect(dialog).toContainText('Approve this disclosure?');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(supervisor.getByTestId('disclosure-decision')).toHaveText('pending');
  await supervisor.getByRole('button', { name: 'Approve', exact: true }).click();
  await supervisor.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
  await expect(supervisor.getByTestId('disclosure-decision')).toHaveText('approved', { timeout: 60_000 });
  await expect(supervisor.getByTestId('decision-rationale')).toHaveText(RATIONALE);
  await expect(supervisor.getByRole('button', { name: 'Refuse', exact: true })).toHaveCount(0);
  const sha256 = (await supervisor.getByTestId('pack-sha256').textContent())!.trim();
  await supervisor.screenshot({ path: resolve(artefacts, 'disclosure-approved.png'), fullPage: true });

  const pack = await downloadPack(supervisor, supervisor.getByRole('link', { name: 'Download disclosure pack' }));
  expect(pack.subarray(0, 5).toString()).toBe('%PDF-');
  expect(createHash('sha256').update(pack).digest('hex')).toBe(sha256);

  // The printable page shows the same content.
  await supervisor.getByRole('link', { name: 'Printable page' }).click();
  await expect(supervisor.getByTestId('pack-document')).toContainText(reference);
  await expect(supervisor.getByTestId('pack-document')).toContainText(RATIONALE);
  await supervisor.screenshot({ path: resolve(artefacts, 'disclosure-pack-printable.png'), fullPage: true });

  // The investigator downloads the same pack beside the candidate on the search page.
  await page.goto(searchUrl);
  const approvedRow = page.getByTestId('comparison-row').filter({ hasText: 'Confirmed possible match' });
  await expect(approvedRow.getByTestId('disclosure-status')).toContainText('approved');
  const again = await downloadPack(page, approvedRow.getByRole('link', { name: 'Download disclosure pack' }));
  expect(createHash('sha256').update(again).digest('hex')).toBe(sha256);

  // Refusals: the investigator is no supervisor; the administrator sees no casework, not even the pack.
  const disclosureId = /\/disclosures\/([0-9a-f-]+)$/.exec(disclosureUrl)![1]!;
  expect((await page.goto(disclosureUrl))?.status()).toBe(403);
  expect((await admin.request.get(`/api/disclosures/${disclosureId}/pack`)).status()).toBe(404);
  expect((await (await browser.newContext()).request.get(`/api/disclosures/${disclosureId}/pack`)).status()).toBe(401);
});
