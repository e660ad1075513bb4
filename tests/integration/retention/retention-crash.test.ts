import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { embeddedDatabaseDir, openDatabase } from '@/lib/server/db/database';
import { CropStore } from '@/lib/server/storage/crop-store';
import { PackStore } from '@/lib/server/storage/pack-store';
import { EmbeddedVectorIndex } from '@/lib/server/vector/embedded-index';
import { buildRetentionWorld, countKeptRecords, expectRetentionOutcome, listCropFiles, snapshotRows, type RetentionWorld } from './retention-world';

// The interruption test: the retention job is killed with SIGKILL again and again, at every
// step boundary (stopped dead right after a commit) and at moments in between, then `npm run
// retention` runs to the end. The result must be exactly what one uninterrupted run on a copy of the
// same data leaves: no row, crop file or index point lost or left behind, every deletion audited once.

const root = process.cwd();
const nodeArgs = ['--conditions=react-server', '--import', 'tsx'];
const child = fileURLToPath(new URL('./retention-until-killed.ts', import.meta.url));
const BATCH = 2;
const dataDir = mkdtempSync(join(tmpdir(), 'rfr-retention-crash-'));
const referenceDir = mkdtempSync(join(tmpdir(), 'rfr-retention-reference-'));
afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(referenceDir, { recursive: true, force: true });
});

function open(dir: string) {
  return {
    database: openDatabase({ pgliteDir: embeddedDatabaseDir(dir) }),
    index: new EmbeddedVectorIndex({ directory: join(dir, 'vectors') }),
    crops: new CropStore(join(dir, 'crops')),
  };
}

function runCli(dir: string): Record<string, number> {
  const result = spawnSync(process.execPath, [...nodeArgs, 'scripts/retention.ts', '--json'], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dir, DATABASE_URL: '', QDRANT_URL: '' },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`npm run retention failed (${result.status}):\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as Record<string, number>;
}

/**
 * Runs the child until it stalls at step `at` (or, racing, a moment after it), then SIGKILLs it.
 * `isFinished`: the run had got to its last step, nothing was left for it to do.
 */
function runUntilKilled(mode: 'stall' | 'race', at: number, delayMs = 0): Promise<{ killed: boolean; isFinished: boolean }> {
  const process_ = spawn(process.execPath, [...nodeArgs, child, dataDir, mode, String(at), String(BATCH)], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  let steps = 0;
  let isFinished = false;
  let buffered = '';
  return new Promise((resolve, reject) => {
    process_.on('error', reject);
    process_.on('exit', (code) => {
      const killed = process_.signalCode === 'SIGKILL';
      // A run that fails on its own is a finding, not a finished run.
      if (!killed && code !== 0) reject(new Error(`the retention child exited with ${code}`));
      else resolve({ killed, isFinished });
    });
    process_.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith('progress ')) steps += 1;
        if (line.endsWith(' done') || line === 'done') isFinished = true;
        if (line === 'stalled') process_.kill('SIGKILL');
        else if (mode === 'race' && steps === at && line.startsWith('progress ')) setTimeout(() => process_.kill('SIGKILL'), delayMs);
      }
    });
  });
}

async function stateOf(dir: string, world: RetentionWorld) {
  const { database, index, crops } = open(dir);
  const db = await database;
  try {
    void crops;
    return {
      rows: await snapshotRows(db.prisma),
      files: await listCropFiles(join(dir, 'crops')),
      points: (await index.listIds(world.modelId)).sort(),
      notes: await db.prisma.storedFileDeletion.count(),
    };
  } finally {
    await index.close();
    await db.close();
  }
}

describe('retention killed with SIGKILL', () => {
  it('loses nothing and leaves nothing behind once it has run to the end', async () => {
    let world: RetentionWorld;
    let before: Awaited<ReturnType<typeof countKeptRecords>>;
    {
      const { database, index, crops } = open(dataDir);
      const db = await database;
      world = await buildRetentionWorld({ prisma: db.prisma, crops, index, packs: new PackStore(dataDir) }, { bulk: 10 });
      before = await countKeptRecords(db.prisma, world);
      await index.close();
      await db.close();
    }
    cpSync(dataDir, referenceDir, { recursive: true });

    // The reference: one uninterrupted run of `npm run retention` on the copy.
    const reference = runCli(referenceDir);
    expect(reference.deletedCases).toBe(1);
    const expected = await stateOf(referenceDir, world);

    // Every run reports three steps that are there whatever is left (leftover files, expiry, index
    // sync); the fourth is its first piece of real work. Stopped dead right after that commit, each run
    // gets exactly one batch further, so the kill meets every batch boundary in turn. Every other run
    // is killed a few milliseconds after its fourth step instead, wherever it has got to by then
    // (mid-transaction, mid-file, mid-index write). Until a run gets to its end with nothing to do.
    let kills = 0;
    for (let run = 1; run < 200; run += 1) {
      const outcome = run % 2 === 0 ? await runUntilKilled('race', 4, (run * 7) % 23) : await runUntilKilled('stall', 4);
      if (outcome.isFinished || !outcome.killed) break;
      kills += 1;
    }
    expect(kills).toBeGreaterThan(15);

    const final = runCli(dataDir);
    expect(final).toBeDefined();
    // A kill between writing an evidence copy and renaming it leaves a temporary file, which the job
    // removes once it is an hour old (younger, it may be another process's write in progress). Here:
    // as if the hour had passed.
    expect(await new CropStore(join(dataDir, 'crops')).removeStaleTemporaries(0)).toBeLessThanOrEqual(1);
    const actual = await stateOf(dataDir, world);
    expect(actual).toEqual(expected);

    const { database, index } = open(dataDir);
    const db = await database;
    try {
      await expectRetentionOutcome({ prisma: db.prisma, index, cropsRoot: join(dataDir, 'crops'), dataDir }, world, before);
      // Each deletion was recorded exactly once, however many runs it took.
      const events = await db.prisma.auditEvent.findMany({ where: { action: { startsWith: 'retention.' } }, select: { action: true, targetId: true, payload: true } });
      expect(events.filter((event) => event.action === 'retention.delete_case').map((event) => event.targetId)).toEqual([world.cases.closedOld.caseId]);
      const recorded = JSON.stringify(events.map((event) => event.payload));
      for (const id of [...world.cases.openNoLead.searchIds, ...world.cases.openNoLead.probeFaceIds]) expect(recorded.split(id).length - 1, id).toBe(1);
    } finally {
      await index.close();
      await db.close();
    }

    // And a further run has nothing left to do.
    const again = runCli(dataDir);
    expect(Object.entries(again).filter(([name, count]) => name !== 'seconds' && count !== 0)).toEqual([]);
  }, 600_000);
});
