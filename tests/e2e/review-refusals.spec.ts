import { expect, test, type Page } from '@playwright/test';
import { hasLfw, lfwImage, lfwMissingMessage } from '../support/lfw';
import { createAccount, signIn, signInAs, signInFirstTime } from './support';
import { enrolWatchlist, openCase, searchSelectedFace } from './support-faces';

// Every refusal of the review flow, tried the way someone would: by the wrong person, by URL, and by
// replaying a captured server action with another session.
test.skip(!hasLfw, lfwMissingMessage);
test.setTimeout(300_000);

const OTHER = { email: 'other-team@demo.local', password: 'other team password 1' };

test('reviews refuse the wrong reviewer, other teams, other roles, a missing rationale and a second disclosure request', async ({ browser }) => {
  const admin = await (await browser.newContext()).newPage();
  await signInAs(admin, 'admin');
  const otherTemporaryPassword = await createAccount(admin, { email: OTHER.email, name: 'Other Unit Investigator', team: 'Other unit' });
  await expect(admin.getByRole('row', { name: /other-team@demo\.local/ })).toBeVisible();
  await enrolWatchlist(admin, 'E2E refusals', [lfwImage('Serena_Williams', 1), lfwImage('Colin_Powell', 1)]);

  const page = await (await browser.newContext()).newPage();
  await signInAs(page, 'investigator');
  const reference = `OP/REFUSE/${Date.now()}`;
  await openCase(page, reference);
  await page.getByLabel('Choose a still').setInputFiles(lfwImage('Serena_Williams', 3));
  await expect(page.getByRole('heading', { name: 'Search this face' })).toBeVisible({ timeout: 120_000 });
  await searchSelectedFace(page, 'E2E refusals');
  const [, caseId, searchId] = /\/cases\/([0-9a-f-]+)\/searches\/([0-9a-f-]+)/.exec(page.url())!;
  await expect(page.getByTestId('review-bench')).toHaveAttribute('data-hydrated', 'true');
  const probeCrop = (await page.getByRole('img', { name: 'Probe face' }).first().getAttribute('src'))!;
  const candidateCrop = (await page.getByTestId('review-bench').getByRole('button', { name: 'Candidate face 1' }).locator('img').getAttribute('src'))!;

  // Committing without the rationale a possible match needs is refused with a message.
  await page.getByRole('button', { name: 'Possible match' }).click();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('n');
  await page.getByRole('button', { name: 'Commit decisions' }).click();
  await expect(page.getByTestId('bench-validation')).toContainText(/rationale/i);
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'Candidate face 1' }).click();
  await page.getByLabel('Rationale').fill('Same eyebrows and lip line.');
  await page.getByRole('button', { name: 'Commit decisions' }).click();
  const captured = capturedActionCall(page);
  await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
  const commitCall = await captured;
  await expect(page.getByRole('button', { name: /^Candidate face 1: Serena_Williams/ })).toBeVisible({ timeout: 30_000 });

  // The first reviewer cannot be their own second reviewer.
  await page.goto('/reviews');
  await expect(page.getByTestId('second-review-queue')).toContainText('Your first review: another investigator must take it');
  await page.goto(`/reviews/${searchId}`);
  await expect(page.getByRole('main').getByRole('alert')).toContainText('another investigator');

  // Supervisors and administrators do not adjudicate: no queue page, and a replayed commit is refused.
  for (const [role, who] of [['supervisor', await newPage(browser)], ['admin', await newPage(browser)]] as const) {
    await signInAs(who, role);
    expect((await who.goto('/reviews'))?.status()).toBe(403);
    expect(await replay(who, commitCall, `/cases/${caseId}/searches/${searchId}`)).toContain('FORBIDDEN');
  }

  // An investigator of another team reaches nothing: not the case, the search, the crops or the action.
  const other = await newPage(browser);
  await signInFirstTime(other, OTHER.email, otherTemporaryPassword, OTHER.password);
  await expect(other).toHaveURL(/\/cases$/);
  expect((await other.goto(`/cases/${caseId}`))?.status()).toBe(404);
  expect((await other.goto(`/cases/${caseId}/searches/${searchId}`))?.status()).toBe(404);
  expect((await other.request.get(probeCrop)).status()).toBe(404);
  expect((await other.request.get(candidateCrop)).status()).toBe(404);
  expect(await replay(other, commitCall, `/cases/${caseId}/searches/${searchId}`)).toContain('NOT_FOUND');
  await other.goto('/reviews');
  await expect(other.getByText(reference)).toHaveCount(0);
  expect((await other.goto(`/reviews/${searchId}`))?.status()).toBe(404);

  // The team's reviewer confirms; a second pending disclosure request for the same candidate is refused.
  const reviewer = await newPage(browser);
  await signIn(reviewer, 'reviewer@demo.local');
  await expect(reviewer).toHaveURL(/\/cases$/);
  await reviewer.goto(`/reviews/${searchId}`);
  const bench = reviewer.getByTestId('review-bench');
  await expect(bench).toHaveAttribute('data-hydrated', 'true', { timeout: 30_000 });
  const thumbnails = bench.getByRole('button', { name: /^Candidate face \d+$/ });
  for (let index = 0; index < (await thumbnails.count()); index += 1) {
    await thumbnails.nth(index).click();
    if ((await thumbnails.nth(index).locator('img').getAttribute('src')) === candidateCrop) {
      await reviewer.getByRole('button', { name: 'Possible match' }).click();
      await reviewer.getByLabel('Rationale').fill('Eyebrows and lip line agree.');
    } else {
      await reviewer.getByRole('button', { name: 'No match', exact: true }).click();
    }
  }
  await reviewer.getByRole('button', { name: 'Commit decisions' }).click();
  await reviewer.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
  await expect(reviewer.getByRole('heading', { name: 'Both reviews' })).toBeVisible({ timeout: 30_000 });

  const stale = await reviewer.context().newPage();
  await stale.goto(reviewer.url());
  const row = (p: Page) => p.getByTestId('comparison-row').filter({ hasText: 'Serena_Williams' });
  await row(reviewer).getByLabel('Statement').fill('Both reviewers agree on the eyebrows and lip line.');
  await row(reviewer).getByRole('button', { name: 'Request disclosure' }).click();
  await expect(row(reviewer).getByTestId('disclosure-status')).toContainText('pending');
  await row(stale).getByLabel('Statement').fill('The same request again from a page opened earlier.');
  await row(stale).getByRole('button', { name: 'Request disclosure' }).click();
  await expect(row(stale).getByRole('alert')).toContainText('already pending');
});

async function newPage(browser: import('@playwright/test').Browser): Promise<Page> {
  return (await browser.newContext()).newPage();
}

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

async function replay(page: Page, call: { headers: Record<string, string>; body: string }, path: string): Promise<string> {
  const response = await page.request.post(path, { headers: call.headers, data: call.body });
  return response.text();
}
