// `npm run enrol -- --as ADMIN_EMAIL --watchlist NAME (--dir DIR | --csv FILE) [--limit N] [--json]
//     [--create --purpose TEXT --authority TEXT --retention-days N [--review-date YYYY-MM-DD]]`
//
// Bulk enrolment from the command line: a folder with one sub-folder of images per subject, or a CSV of
// `path,subject` lines. Every image goes through the enrolment action the admin page's upload uses,
// with the same checks and the same audit event, as the administrator named by --as (the audit log
// also records the operating-system account that ran it). Resumable: images already enrolled (same
// SHA-256) or already set aside are skipped, so an interrupted run is simply started again. Progress
// goes to stderr; --json writes a JSON line per image and a summary to stdout.
import { readdir, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { createActionDefiner } from '@/lib/server/actions/create-action-definer';
import { createWatchlistSpec } from '@/lib/server/actions/specs/create-watchlist';
import { enrolImageSpec } from '@/lib/server/actions/specs/enrolment';
import { commandLineRequestContext, findCommandLineActor } from '@/lib/server/auth/command-line-actor';
import { getConfig } from '@/lib/server/config';
import { embeddedDatabaseDir, openDatabase } from '@/lib/server/db/database';
import { BatchStoppedError, enrolBatch, type BatchProgress, type BatchSummary } from '@/lib/server/gallery/enrol-batch';
import { closeVectorIndex, getVectorIndex } from '@/lib/server/vector/get-vector-index';
import { parseCommandLine } from './support/parse-args';
import { readLabelledCsv } from './support/read-csv';
import type { ActionResult } from '@/lib/shared/errors';

type Item = { path: string; subject: string };

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.bmp', '.tif', '.tiff', '.gif', '.avif']);

const USAGE = `usage: npm run enrol -- --as ADMIN_EMAIL --watchlist NAME (--dir DIR | --csv FILE) [--limit N] [--json]
           [--create --purpose TEXT --authority TEXT --retention-days N [--review-date YYYY-MM-DD]]
  --as              the administrator the enrolment is attributed to in the audit log
  --dir             one sub-folder of images per subject (the folder name is the subject's reference)
  --csv             path,subject lines (paths relative to the CSV's folder); a header line is optional
  --limit           enrol at most N images
  --json            a JSON line per image and a summary on stdout
  --create          create the watch-list if there is none of that name (needs --purpose, --authority, --retention-days)`;

const commandLine = parseCommandLine(process.argv.slice(2), {
  name: 'enrol',
  usage: USAGE,
  options: {
    as: { type: 'string' },
    watchlist: { type: 'string' },
    dir: { type: 'string' },
    csv: { type: 'string' },
    limit: { type: 'string' },
    json: { type: 'boolean', default: false },
    create: { type: 'boolean', default: false },
    purpose: { type: 'string' },
    authority: { type: 'string' },
    'retention-days': { type: 'string' },
    'review-date': { type: 'string' },
  },
});
const flags = commandLine.values;
const actorEmail = commandLine.required('as');
const watchlistName = commandLine.required('watchlist');
if (!flags.dir === !flags.csv) commandLine.fail('give one of --dir DIR or --csv FILE');
const limit = commandLine.integer('limit', { min: 1, fallback: Number.POSITIVE_INFINITY });
if (!flags.create && (flags.purpose || flags.authority || flags['retention-days'] || flags['review-date'])) {
  commandLine.fail('--purpose, --authority, --retention-days and --review-date only go with --create');
}

let exitCode = 0;
let items: Item[] = [];
try {
  items = (flags.dir ? await listFolder(resolve(flags.dir)) : await listCsv(resolve(flags.csv!))).slice(0, limit);
} catch (error) {
  console.error(`[enrol] ${(error as Error).message}`);
  process.exit(1);
}
const config = getConfig();
const database = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: embeddedDatabaseDir(config.dataDir) });
const index = getVectorIndex();
try {
  if (!(await findCommandLineActor(database.prisma, actorEmail))) {
    throw new Error(`No enabled account ${actorEmail}: --as must name an administrator of this installation (Admin → Users).`);
  }
  // The same wrapper as the server's, with the named user, read afresh for every image: disabled or
  // demoted during a long run, they are refused from the next image on.
  const defineAction = createActionDefiner({
    getActor: () => findCommandLineActor(database.prisma, actorEmail),
    getPrisma: async () => database.prisma,
    getRequestContext: async () => commandLineRequestContext('enrol'),
  });
  const watchlist = (await database.prisma.watchlist.findFirst({ where: { name: watchlistName, deletedAt: null }, select: { id: true, name: true } })) ??
    (flags.create ? await createWatchlist(defineAction(createWatchlistSpec)) : null);
  if (!watchlist) {
    throw new Error(`No watch-list named "${watchlistName}". Create it on the admin Watch-lists page first (or pass --create).`);
  }
  const summary = await enrolBatch({
    enrol: defineAction(enrolImageSpec),
    prisma: database.prisma,
    index,
    watchlistId: watchlist.id,
    items,
    onItem: flags.json ? (item, outcome) => console.log(JSON.stringify({ path: item.path, subject: item.subject, ...outcome })) : undefined,
    onProgress: reportProgress,
  }).catch((error: unknown) => {
    if (error instanceof BatchStoppedError) {
      process.stderr.write('\n');
      report(watchlist.name, error.summary);
    }
    throw error;
  });
  process.stderr.write('\n');
  // Refused images are listed above and tried again by a rerun; the run itself did what it could.
  report(watchlist.name, summary);
} catch (error) {
  console.error(`[enrol] ${(error as Error).message}`);
  exitCode = 1;
} finally {
  await closeVectorIndex();
  await database.close();
}
process.exit(exitCode);

async function createWatchlist(create: (input: unknown) => Promise<ActionResult<{ watchlistId: string }>>) {
  const result = await create({
    name: watchlistName,
    purpose: flags.purpose,
    authority: flags.authority,
    retentionDays: flags['retention-days'],
    reviewDate: flags['review-date'] ?? new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10),
    searchableBy: [],
  });
  if (!result.ok) {
    const fields = Object.entries(result.error.fieldErrors ?? {}).map(([field, messages]) => `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ${messages.join(', ')}`);
    throw new Error(`--create was refused: ${fields.length ? fields.join('; ') : result.error.message}`);
  }
  return { id: result.data.watchlistId, name: watchlistName };
}

function report(name: string, summary: BatchSummary): void {
  console.error(
    `[enrol] ${name}: ${summary.enrolled} enrolled, ${summary.duplicate} already there, ${summary.setAside} set aside, ${summary.refused} refused ` +
      `in ${summary.seconds.toFixed(1)} s (${summary.imagesPerSecond.toFixed(2)} images/s)`,
  );
  for (const entry of summary.setAsideItems.slice(0, 20)) console.error(`  set aside ${entry.reason}: ${entry.path} — ${entry.message}`);
  if (summary.setAsideItems.length > 20) console.error(`  … and ${summary.setAsideItems.length - 20} more set aside (see the watch-list's page)`);
  for (const entry of summary.refusedItems.slice(0, 20)) console.error(`  refused ${entry.code}: ${entry.path} — ${entry.message}`);
  if (summary.refusedItems.length > 20) console.error(`  … and ${summary.refusedItems.length - 20} more refused (rerun with --json for the full list)`);
  if (flags.json) {
    const { setAsideItems, refusedItems, ...figures } = summary;
    console.log(JSON.stringify({ ...figures, setAside: setAsideItems.length, refused: refusedItems.length }));
  }
}

function reportProgress(progress: BatchProgress): void {
  const remaining = Math.max(0, (progress.total - progress.done) / progress.imagesPerSecond);
  process.stderr.write(
    `\r[enrol] ${progress.done}/${progress.total} (${Math.round((100 * progress.done) / progress.total)} %) · ${progress.enrolled} enrolled · ` +
      `${progress.duplicate} duplicates · ${progress.setAside} set aside · ${progress.refused} refused · ${progress.imagesPerSecond.toFixed(1)} img/s · ~${Math.ceil(remaining)} s left   `,
  );
}

async function listFolder(root: string): Promise<Item[]> {
  const items: Item[] = [];
  for (const name of (await readdir(root)).sort()) {
    // stat, not the directory entry's type, so symbolic links to subject folders count too.
    if (!(await stat(join(root, name))).isDirectory()) continue;
    const files = (await readdir(join(root, name))).filter((file) => IMAGE_EXTENSIONS.has(extname(file).toLowerCase())).sort();
    for (const file of files) items.push({ path: join(root, name, file), subject: name });
  }
  if (items.length === 0) throw new Error(`${root} has no sub-folders of images (expected one folder per subject).`);
  return items;
}

async function listCsv(file: string): Promise<Item[]> {
  const rows = await readLabelledCsv(file);
  const base = dirname(file);
  return Promise.all(
    rows.map(async (row) => {
      const path = resolve(base, row.path);
      await stat(path).catch(() => {
        throw new Error(`${file}: ${row.path} does not exist`);
      });
      return { path, subject: row.subject };
    }),
  );
}
