// `npm run enrol -- --watchlist NAME (--dir DIR | --csv FILE) [--limit N] [--json: a JSON line per image and a summary]
//     [--create --purpose TEXT --authority TEXT --retention-days N]`
//
// Bulk enrolment from the command line: a folder with one sub-folder of images per subject, or a CSV of
// `path,subject` lines. Resumable: images already enrolled (same SHA-256) or already set aside are
// skipped, so an interrupted run is simply started again. Progress goes to stderr.
import { readdir, stat } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { appendAuditEvent } from '@/lib/server/audit/append-audit-event';
import { getConfig } from '@/lib/server/config';
import { embeddedDatabaseDir, openDatabase } from '@/lib/server/db/database';
import { enrolBatch, type BatchProgress } from '@/lib/server/gallery/enrol-batch';
import { cropStoreFor } from '@/lib/server/storage/crop-store';
import { closeVectorIndex, getVectorIndex } from '@/lib/server/vector/get-vector-index';
import { loadFacePipeline } from '@/lib/server/vision/load-face-pipeline';
import { createWatchlistSchema } from '@/lib/shared/schemas/watchlist';
import { parseArgs } from './support/parse-args';
import { readLabelledCsv } from './support/read-csv';

type Item = { path: string; subject: string };

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.bmp', '.tif', '.tiff', '.gif', '.avif']);

const args = parseArgs(process.argv.slice(2), ['json', 'create']);
const watchlistName = args.flags.get('watchlist');
const dir = args.flags.get('dir');
const csv = args.flags.get('csv');
const limit = args.flags.has('limit') ? Number(args.flags.get('limit')) : Number.POSITIVE_INFINITY;
if (!watchlistName || (!dir && !csv) || (dir && csv) || !(limit > 0)) {
  console.error('usage: npm run enrol -- --watchlist NAME (--dir DIR | --csv FILE) [--limit N] [--json]');
  process.exit(2);
}

const items = (dir ? await listFolder(resolve(dir)) : await listCsv(resolve(csv!))).slice(0, limit);
const config = getConfig();
const database = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: embeddedDatabaseDir(config.dataDir) });
const index = getVectorIndex();
let exitCode = 0;
try {
  const watchlist =
    (await database.prisma.watchlist.findFirst({ where: { name: watchlistName, deletedAt: null } })) ??
    (args.switches.has('create') ? await createWatchlist(watchlistName) : null);
  if (!watchlist) {
    throw new Error(`No watch-list named "${watchlistName}". Create it on the admin Watch-lists page first (or pass --create).`);
  }
  const pipeline = await loadFacePipeline();
  const summary = await enrolBatch({
    deps: { prisma: database.prisma, pipeline, crops: cropStoreFor(config.dataDir) },
    index,
    watchlist,
    items,
    actor: { id: null, role: `cli:${userInfo().username}` },
    onItem: args.switches.has('json') ? (item, outcome) => console.log(JSON.stringify({ path: item.path, subject: item.subject, ...outcome })) : undefined,
    onProgress: reportProgress,
  });
  process.stderr.write('\n');
  console.error(
    `[enrol] ${watchlist.name}: ${summary.enrolled} enrolled, ${summary.duplicate} already there, ${summary.setAside} set aside ` +
      `in ${summary.seconds.toFixed(1)} s (${summary.imagesPerSecond.toFixed(2)} images/s)`,
  );
  for (const entry of summary.setAsideItems.slice(0, 20)) console.error(`  set aside ${entry.reason}: ${entry.path} — ${entry.message}`);
  if (summary.setAsideItems.length > 20) console.error(`  … and ${summary.setAsideItems.length - 20} more (see the watch-list's page)`);
  if (args.switches.has('json')) {
    const { setAsideItems, ...figures } = summary;
    console.log(JSON.stringify({ ...figures, setAside: setAsideItems.length }));
  }
} catch (error) {
  console.error(`[enrol] ${(error as Error).message}`);
  exitCode = 1;
} finally {
  await closeVectorIndex();
  await database.close();
}
process.exit(exitCode);

async function createWatchlist(name: string) {
  const parsed = createWatchlistSchema.safeParse({
    name,
    purpose: args.flags.get('purpose'),
    authority: args.flags.get('authority'),
    retentionDays: args.flags.get('retention-days'),
    reviewDate: new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10),
  });
  if (!parsed.success) {
    throw new Error(`--create needs ${parsed.error.issues.map((issue) => `--${String(issue.path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ${issue.message}`).join('; ')}`);
  }
  // The CLI is not a signed-in user; the watch-list is owned by the first active administrator.
  const owner = await database.prisma.user.findFirst({ where: { role: 'admin', disabled: false }, orderBy: { createdAt: 'asc' } });
  if (!owner) throw new Error('No active administrator to own the watch-list; start the app once to create the demo users.');
  return database.prisma.$transaction(async (tx) => {
    const created = await tx.watchlist.create({
      data: { ...parsed.data, reviewDate: new Date(`${parsed.data.reviewDate}T00:00:00Z`), ownerId: owner.id },
    });
    await appendAuditEvent(tx, {
      actorId: null,
      actorRole: `cli:${userInfo().username}`,
      action: 'watchlist.create',
      outcome: 'success',
      targetType: 'watchlist',
      targetId: created.id,
      payload: { ...parsed.data, ownerId: owner.id },
    });
    return created;
  });
}

function reportProgress(progress: BatchProgress): void {
  const remaining = Math.max(0, (progress.total - progress.done) / progress.imagesPerSecond);
  process.stderr.write(
    `\r[enrol] ${progress.done}/${progress.total} (${Math.round((100 * progress.done) / progress.total)} %) · ${progress.enrolled} enrolled · ` +
      `${progress.duplicate} duplicates · ${progress.setAside} set aside · ${progress.imagesPerSecond.toFixed(1)} img/s · ~${Math.ceil(remaining)} s left   `,
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
