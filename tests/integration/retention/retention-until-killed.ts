// Child process for the retention crash test: runs the retention job on DATA_DIR's embedded stores and
// prints a line after every committed step. In `stall` mode it stops dead at the given step (so the
// test kills it exactly between a commit and what follows it); in `race` mode it carries on and the
// test kills it a moment later, wherever it has got to.
//   progress <n> <step>    step n committed
//   stalled                waiting to be killed
//   done                   the run finished before reaching the step
import { join } from 'node:path';
import { embeddedDatabaseDir, openDatabase } from '@/lib/server/db/database';
import { runRetention } from '@/lib/server/retention/run-retention';
import { CropStore } from '@/lib/server/storage/crop-store';
import { PackStore } from '@/lib/server/storage/pack-store';
import { EmbeddedVectorIndex } from '@/lib/server/vector/embedded-index';

const [dataDir, mode, stepText, batchText] = process.argv.slice(2) as [string, 'stall' | 'race', string, string];
const stallAt = Number(stepText);
const database = await openDatabase({ pgliteDir: embeddedDatabaseDir(dataDir) });
const index = new EmbeddedVectorIndex({ directory: join(dataDir, 'vectors') });
let step = 0;
await runRetention({
  prisma: database.prisma,
  index,
  crops: new CropStore(join(dataDir, 'crops')),
  packs: new PackStore(dataDir),
  batchSize: Number(batchText),
  onProgress: async (progress) => {
    step += 1;
    process.stdout.write(`progress ${step} ${progress.step}\n`);
    if (mode === 'stall' && step === stallAt) {
      process.stdout.write('stalled\n');
      await new Promise(() => setInterval(() => {}, 1_000));
    }
  },
});
process.stdout.write('done\n');
await index.close();
await database.close();
