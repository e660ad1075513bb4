// `npm run bench -- enrol [--images N] [--json]`: bulk-enrolment throughput through the enrolment
// action the CLI and the admin page run (its wrapper, decode, detect, landmarks, quality, embed, crop,
// database row + audit event, index sync), on LFW images, into a throwaway embedded store.
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createActionDefiner } from '@/lib/server/actions/create-action-definer';
import { specifyEnrolImage } from '@/lib/server/actions/specs/enrolment';
import { commandLineRequestContext } from '@/lib/server/auth/command-line-actor';
import { openDatabase } from '@/lib/server/db/database';
import { enrolBatch } from '@/lib/server/gallery/enrol-batch';
import { cropStoreFor } from '@/lib/server/storage/crop-store';
import { EmbeddedVectorIndex } from '@/lib/server/vector/embedded-index';
import { loadFacePipeline } from '@/lib/server/vision/load-face-pipeline';
import { parseCommandLine } from '../support/parse-args';

export async function run(argv: string[]): Promise<void> {
  const commandLine = parseCommandLine(argv, {
    name: 'bench enrol',
    usage: 'usage: npm run bench -- enrol [--images 500] [--json]',
    options: { images: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  const count = commandLine.integer('images', { min: 1, fallback: 500 });
  const lfw = resolve(process.cwd(), '../shared/data/lfw/images');
  if (!existsSync(lfw)) {
    console.error(`LFW not found at ${lfw}: the enrolment benchmark needs real face images; skipped.`);
    return;
  }
  const items = readdirSync(lfw)
    .sort()
    .flatMap((name) => readdirSync(join(lfw, name)).map((file) => ({ path: join(lfw, name, file), subject: name })))
    .slice(0, count);

  const dir = join(tmpdir(), `rfr-bench-enrol-${process.pid}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const database = await openDatabase({ pgliteDir: join(dir, 'db') });
  const index = new EmbeddedVectorIndex({ directory: join(dir, 'vectors') });
  try {
    const admin = await database.prisma.user.create({
      data: { email: 'bench@localhost', displayName: 'Bench', role: 'admin', passwordHash: '!' },
      select: { id: true, email: true, displayName: true, role: true, teamId: true },
    });
    const watchlist = await database.prisma.watchlist.create({
      data: { name: 'Bench', purpose: 'Benchmark', authority: 'Benchmark', ownerId: admin.id, retentionDays: 30, reviewDate: new Date() },
    });
    const pipeline = await loadFacePipeline();
    const defineAction = createActionDefiner({ getActor: async () => admin, getPrisma: async () => database.prisma, getRequestContext: async () => commandLineRequestContext('bench') });
    const summary = await enrolBatch({
      enrol: defineAction(specifyEnrolImage({ getPipeline: async () => pipeline, getCropStore: () => cropStoreFor(dir) })),
      prisma: database.prisma,
      index,
      watchlistId: watchlist.id,
      items,
      onProgress: (progress) => {
        if (progress.done % 50 === 0) process.stderr.write(`\r[bench enrol] ${progress.done}/${progress.total} · ${progress.imagesPerSecond.toFixed(1)} img/s`);
      },
    });
    process.stderr.write('\n');
    const result = {
      images: summary.total,
      enrolled: summary.enrolled,
      set_aside: summary.setAside,
      refused: summary.refused,
      seconds: Number(summary.seconds.toFixed(1)),
      images_per_s: Number(summary.imagesPerSecond.toFixed(2)),
      ms_per_image: Number(((1000 * summary.seconds) / summary.total).toFixed(1)),
      store: 'PGlite on disk + embedded index',
      cpus: cpus().length,
    };
    for (const [key, value] of Object.entries(result)) console.log(`${key.padEnd(14)} ${value}`);
    if (commandLine.values.json) console.log(JSON.stringify(result));
  } finally {
    await index.close();
    await database.close();
    await rm(dir, { recursive: true, force: true });
  }
}
