import { createHash } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { hasLfw, lfwImage, lfwMissingMessage } from '../support/lfw';
import { ffmpegMissingMessage, hasFfmpeg, makeBlankClip, makeClip, type ClipCodec } from '../../scripts/support/make-clip';
import { signInAs } from './support';
import { enrolWatchlist, openCase } from './support-faces';

// A short CCTV clip, made here with ffmpeg from LFW stills of one person (never committed), dropped on
// the case page: the browser samples it, finds the faces, proposes a track with its best frames, and
// searching the track records each chosen frame with the clip's hash and the frame's time.

test.skip(!hasLfw, lfwMissingMessage);
test.skip(!hasFfmpeg, ffmpegMissingMessage);
test.setTimeout(600_000);

const WATCHLIST = 'E2E clip suspects';
const PERSON = 'Colin_Powell';
const CLIP_STILLS = [3, 4, 5, 6, 7, 8].map((index) => lfwImage(PERSON, index));
const made: string[] = [];
const artefacts = resolve(process.cwd(), 'tests/artifacts/screenshots');
mkdirSync(artefacts, { recursive: true });

test.afterAll(() => {
  for (const path of made) rmSync(dirname(path), { recursive: true, force: true });
});

async function searchClip(page: Page, codec: ClipCodec, mode: 'rank' | 'threshold'): Promise<void> {
  const clip = makeClip(CLIP_STILLS, { codec, secondsEach: 0.5 });
  made.push(clip.path);
  const sha256 = createHash('sha256').update(clip.bytes).digest('hex');
  await openCase(page, `OP/CLIP/${codec}/${Date.now()}`);
  await expect(page.getByRole('heading', { name: 'New search from a CCTV clip' })).toBeVisible();
  await page.getByLabel('Choose a CCTV clip').setInputFiles({ name: clip.name, mimeType: codec === 'h264' ? 'video/mp4' : 'video/webm', buffer: clip.bytes });
  await expect(page.getByTestId('clip-status')).toContainText(/Sampling frame \d+ of 12|Opening the clip/, { timeout: 120_000 });
  const tracks = page.getByTestId('clip-tracks');
  await expect(tracks).toBeVisible({ timeout: 300_000 });
  console.log(`[clip e2e] ${codec}: ${await page.getByTestId('clip-analysis-time').textContent()} (${await tracks.locator('p').first().textContent()})`);
  await page.screenshot({ path: resolve(artefacts, `clip-tracks-${codec}.png`), fullPage: true });
  // One person through the clip: the first (longest) track holds most of the sampled frames.
  const first = page.getByRole('radio', { name: /^Person 1: seen in \d+ frames/ });
  await expect(first).toBeChecked();
  const seenIn = Number((await first.evaluate((radio) => radio.parentElement?.textContent ?? '')).match(/seen in (\d+) frames/)![1]);
  expect(seenIn).toBeGreaterThanOrEqual(6);
  const frames = page.getByRole('group', { name: /^Best frames of person 1/ }).getByRole('checkbox', { name: /^Use the frame at \d\d:\d\d\.\d$/ });
  expect(await frames.count()).toBeGreaterThanOrEqual(5);
  const chosen = page.getByRole('group', { name: /^Best frames of person 1/ }).getByRole('checkbox', { checked: true });
  await expect(chosen).toHaveCount(5);
  // The investigator unticks one: four frames are searched.
  const untickedName = (await chosen.last().getAttribute('aria-label'))!;
  await chosen.last().uncheck();
  await expect(chosen).toHaveCount(4);
  await expect(page.getByRole('group', { name: /^Best frames of person 1/ })).toContainText('4 chosen');

  await page.getByLabel('Camera or location').fill('Station forecourt, camera 2');
  const override = page.getByLabel('Reason to search frames of this quality');
  if (await override.isVisible()) await override.fill('The only footage of the incident; lead to be verified.');
  const lists = page.getByRole('group', { name: 'Watch-lists to search' }).getByRole('checkbox');
  for (let index = 0; index < (await lists.count()); index += 1) await lists.nth(index).uncheck();
  await page.getByRole('checkbox', { name: new RegExp(WATCHLIST) }).check();
  if (mode === 'threshold') {
    await page.getByLabel('Mode').selectOption('threshold');
    await page.getByLabel('Chance of a score this high between two different people').selectOption({ label: '1 in 100 comparisons' });
  }
  await page.getByRole('button', { name: 'Search this track' }).click();
  await expect(page.getByRole('heading', { name: 'Search results' })).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('search-facts')).toContainText(mode === 'rank' ? /; top \d+ ·/ : /; threshold ·/);

  // The search page names the frame and the clip it came from.
  const provenance = page.getByTestId('probe-clip-frame');
  await expect(provenance).toContainText(new RegExp(`^Frame at \\d\\d:\\d\\d\\.\\d of clip ${sha256.slice(0, 12)}… \\(${clip.name.replace('.', '\\.')}\\)`));
  await expect(provenance).toContainText(sha256);
  // All four chosen frames were searched as one probe, each named by its time in the clip; the unticked one was not.
  const searched = page.getByTestId('probe-faces');
  await expect(searched.getByRole('heading', { name: 'Probe faces (4)' })).toBeVisible();
  const frameLabels = searched.getByTestId('probe-face-frame');
  await expect(frameLabels).toHaveCount(4);
  const times = (await frameLabels.allTextContents()).map((text) => {
    expect(text).toContain(`of clip ${sha256.slice(0, 12)}…`);
    return text.match(/^Frame at (\d\d:\d\d\.\d)/)![1]!;
  });
  expect(new Set(times).size).toBe(4);
  expect(times.map((time) => `Use the frame at ${time}`)).not.toContain(untickedName);
  await expect(searched.getByRole('img', { name: /^Probe face \d$/ })).toHaveCount(4);
  const firstTime = (await provenance.textContent())!.match(/Frame at (\d\d:\d\d\.\d)/)![1]!;
  expect(times[0]).toBe(firstTime);
}

test('an investigator drops an MP4 and a WebM clip, searches the proposed track, and lands on the search of its frames', async ({ browser }) => {
  const admin = await (await browser.newContext()).newPage();
  await signInAs(admin, 'admin');
  await enrolWatchlist(admin, WATCHLIST, [
    lfwImage(PERSON, 1),
    lfwImage(PERSON, 2),
    lfwImage('Serena_Williams', 1),
    lfwImage('Gerhard_Schroeder', 1),
  ]);
  const page = await (await browser.newContext()).newPage();
  await signInAs(page, 'investigator');

  // A file that is no clip gets a plain message and changes nothing.
  await openCase(page, `OP/CLIP/bad/${Date.now()}`);
  await page.getByLabel('Choose a CCTV clip').setInputFiles({ name: 'clip.mp4', mimeType: 'video/mp4', buffer: Buffer.from('\xff\xd8\xff\xe0 not a clip at all') });
  await expect(page.getByTestId('clip-problem')).toContainText('not a video clip');
  // An MP4 header over garbage cannot be played; a clip over five minutes is refused as too long.
  const damaged = Buffer.concat([Buffer.from([0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70, 0x69, 0x73, 0x6f, 0x6d]), Buffer.alloc(4096, 0x5a)]);
  await page.getByLabel('Choose a CCTV clip').setInputFiles({ name: 'damaged.mp4', mimeType: 'video/mp4', buffer: damaged });
  await expect(page.getByTestId('clip-problem')).toContainText('could not be played', { timeout: 60_000 });
  const long = makeBlankClip(301);
  made.push(long.path);
  await page.getByLabel('Choose a CCTV clip').setInputFiles({ name: long.name, mimeType: 'video/mp4', buffer: long.bytes });
  await expect(page.getByTestId('clip-problem')).toContainText('the limit is 5 minutes', { timeout: 60_000 });
  // Sampling a longer clip can be cancelled part-way; nothing of it stays on the page.
  const longer = makeClip([...CLIP_STILLS, ...CLIP_STILLS, ...CLIP_STILLS], { codec: 'h264', secondsEach: 1 });
  made.push(longer.path);
  await page.getByLabel('Choose a CCTV clip').setInputFiles({ name: longer.name, mimeType: 'video/mp4', buffer: longer.bytes });
  await expect(page.getByTestId('clip-status')).toContainText(/Sampling frame \d+ of 72/, { timeout: 120_000 });
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('clip-problem')).toContainText('Sampling was cancelled');
  await expect(page.getByTestId('clip-status')).toHaveCount(0);
  await expect(page.getByTestId('clip-tracks')).toHaveCount(0);

  await searchClip(page, 'h264', 'rank');
  // The clip form offers threshold mode as the still workbench does.
  await searchClip(page, 'vp8', 'threshold');
});
