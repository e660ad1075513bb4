import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedDatabaseDir, openDatabase } from '@/lib/server/db/database';
import { hasLfw, lfwImage } from '../support/lfw';
import { corruptJpeg, gifar, jpegZipPolyglot, onePixelPng, pngBomb, pngHtmlPolyglot, svgWithScript, truncatedJpeg, ZIP_SIGNATURE } from '../support/hostile-images';

// The command-line enrolment (`npm run enrol`) given a folder of hostile files among good ones, run as
// a user runs it: a child process on a data folder of its own. Every bad file is set aside with a
// clear reason, nothing crashes, the good image is still enrolled, and no stored file holds what a
// polyglot smuggled in.

const root = mkdtempSync(join(tmpdir(), 'rfr-attack-cli-'));
const dataDir = join(root, 'data');
const images = join(root, 'images');
const run = promisify(execFile);

const FILES: [name: string, make: () => Buffer | Promise<Buffer>, reason: RegExp][] = [
  ['corrupt.jpg', corruptJpeg, /could not be (read|decoded)/],
  ['truncated.jpg', truncatedJpeg, /damaged or incomplete/],
  ['script.png', () => svgWithScript(), /not a supported image/],
  ['html.png', pngHtmlPolyglot, /could not be read/],
  ['bomb.png', () => pngBomb(20_000, 20_000), /20000×20000 \(400 megapixels\); images above 40 megapixels are refused/],
  ['tiny.png', onePixelPng, /face/i],
  ['polyglot.jpg', jpegZipPolyglot, /face/i],
  ['gifar.gif', gifar, /face/i],
];

beforeAll(async () => {
  mkdirSync(images, { recursive: true });
  // One folder per subject, as the CLI reads a folder.
  for (const [name, make] of FILES) {
    mkdirSync(join(images, `Subject_${name.replace('.', '_')}`));
    writeFileSync(join(images, `Subject_${name.replace('.', '_')}`, name), await make());
  }
  if (hasLfw) {
    mkdirSync(join(images, 'Colin_Powell'));
    copyFileSync(lfwImage('Colin_Powell', 1), join(images, 'Colin_Powell', 'good.jpg'));
  }
  // The CLI acts as the administrator it is told to be (--as), who owns the new watch-list.
  const database = await openDatabase({ pgliteDir: embeddedDatabaseDir(dataDir) });
  await database.prisma.user.create({ data: { email: 'admin@cli.test', displayName: 'Admin', role: 'admin', passwordHash: '!' } });
  await database.close();
}, 180_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('hostile files through the CLI enrolment', () => {
  it('refuses or sets aside every bad file with a clear reason, enrols the good one, and stores no smuggled archive', async () => {
    const { stdout } = await run(
      process.execPath,
      ['--conditions=react-server', '--import', 'tsx', 'scripts/enrol.ts', '--as', 'admin@cli.test', '--watchlist', 'CLI attack list', '--create', '--purpose', 'Attack suite list for the CLI', '--authority', 'Test authority', '--retention-days', '30', '--dir', images, '--json'],
      { env: { ...process.env, DATA_DIR: dataDir }, timeout: 240_000, maxBuffer: 16 * 1024 * 1024 },
    );
    const lines = stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { path?: string; status?: string; message?: string; enrolled?: number });
    const byFile = new Map(lines.filter((line) => line.path).map((line) => [line.path!.split('/').pop()!, line]));
    for (const [name, , reason] of FILES) {
      const outcome = byFile.get(name);
      expect(outcome, `${name}: no outcome reported`).toBeDefined();
      // A file that is no image is refused (audited, nothing recorded), as the web upload refuses it; an
      // image with no usable face is set aside for an administrator to look at.
      expect(['refused', 'set_aside'], name).toContain(outcome!.status);
      expect(outcome!.message, name).toMatch(reason);
    }
    if (hasLfw) expect(byFile.get('good.jpg')?.status).toBe('enrolled');
    else console.warn('[skip] LFW not found: the good image of the CLI batch was left out');

    const stored = await readdir(join(dataDir, 'crops'), { recursive: true, withFileTypes: true }).catch(() => []);
    for (const entry of stored.filter((item) => item.isFile())) {
      expect((await readFile(join(entry.parentPath, entry.name))).includes(ZIP_SIGNATURE), entry.name).toBe(false);
    }
    expect(stored.filter((item) => item.isFile())).toHaveLength(hasLfw ? 1 : 0);
  }, 300_000);
});
