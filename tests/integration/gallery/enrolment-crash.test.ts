import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { embeddedDatabaseDir, openDatabase } from '@/lib/server/db/database';
import { EmbeddedVectorIndex } from '@/lib/server/vector/embedded-index';
import { hasLfw, lfwDir, lfwMissingMessage } from '../../support/lfw';

// The crash test: kill `npm run enrol` with SIGKILL part-way through, run `npm run reconcile`,
// and show that the database and the vector index agree id for id; then finish the enrolment and show
// that nothing was lost or enrolled twice.
if (!hasLfw) console.warn(lfwMissingMessage);

const root = process.cwd();
const nodeArgs = ['--conditions=react-server', '--import', 'tsx'];
const dataDir = mkdtempSync(join(tmpdir(), 'rfr-crash-'));
const galleryDir = join(dataDir, 'gallery');
const env = { ...process.env, DATA_DIR: dataDir, RFR_DEMO_PASSWORD: 'crash-test-password' };
const enrolArgs = [
  ...nodeArgs,
  'scripts/enrol.ts',
  '--as',
  'admin@demo.local',
  '--watchlist',
  'Crash test',
  '--dir',
  galleryDir,
  '--json',
  '--create',
  '--purpose',
  'Crash-consistency test of enrolment',
  '--authority',
  'Test authority',
  '--retention-days',
  '30',
];

function runScript(args: string[]) {
  const result = spawnSync(process.execPath, args, { cwd: root, env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${args.join(' ')} failed (${result.status}):\n${result.stderr}`);
  return result.stdout;
}

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe.skipIf(!hasLfw)('enrolment killed with SIGKILL', () => {
  // Four processes (prepare, two enrolment runs, reconcile) each open the store and load the models.
  it('leaves nothing that reconcile cannot repair, and loses or duplicates nothing', async () => {
    mkdirSync(galleryDir);
    const people = readdirSync(lfwDir)
      .filter((name) => readdirSync(join(lfwDir, name)).length >= 2)
      .slice(0, 24);
    for (const name of people) symlinkSync(resolve(lfwDir, name), join(galleryDir, name));
    const images = people.flatMap((name) => readdirSync(join(lfwDir, name)).map((file) => join(lfwDir, name, file)));
    runScript([...nodeArgs, 'scripts/prepare-store.ts']);

    // First run: killed without warning once a dozen images are in.
    const child = spawn(process.execPath, enrolArgs, { cwd: root, env, stdio: ['ignore', 'pipe', 'ignore'] });
    let seen = 0;
    let buffered = '';
    await new Promise<void>((done) => {
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        seen += lines.filter((line) => line.includes('"status"')).length;
        if (seen >= 12 && child.exitCode === null) child.kill('SIGKILL');
      });
      child.on('exit', () => done());
    });
    expect(child.signalCode).toBe('SIGKILL');
    expect(seen).toBeLessThan(images.length);

    const reconciled = JSON.parse(runScript([...nodeArgs, 'scripts/reconcile.ts', '--json']).trim().split('\n').pop()!) as {
      expected: number;
      indexedAfter: number;
    }[];
    expect(reconciled).toHaveLength(1);
    expect(reconciled[0]!.indexedAfter).toBe(reconciled[0]!.expected);
    await expectStoresToAgree();

    // Second run: resumes, skipping what is already done, and completes.
    const lines = runScript(enrolArgs).trim().split('\n');
    const summary = JSON.parse(lines.pop()!) as { total: number; enrolled: number; duplicate: number; setAside: number; refused: number };
    expect(summary.total).toBe(images.length);
    expect(summary.refused).toBe(0);
    expect(summary.duplicate + summary.enrolled + summary.setAside).toBe(images.length);
    const { faces, exceptions } = await expectStoresToAgree();

    // Every image is accounted for exactly once: enrolled or set aside, never both, never twice.
    const hashes = images.map((path) => createHash('sha256').update(readFileSync(path)).digest('hex'));
    const enrolledHashes = faces.map((face) => face.imageSha256);
    const setAsideHashes = exceptions.map((entry) => entry.imageSha256);
    expect(new Set(enrolledHashes).size).toBe(enrolledHashes.length);
    expect(enrolledHashes.filter((hash) => setAsideHashes.includes(hash))).toEqual([]);
    expect([...enrolledHashes, ...setAsideHashes].sort()).toEqual([...new Set(hashes)].sort());
  }, 600_000);
});

async function expectStoresToAgree() {
  const database = await openDatabase({ pgliteDir: embeddedDatabaseDir(dataDir) });
  const index = new EmbeddedVectorIndex({ directory: join(dataDir, 'vectors') });
  try {
    const faces = await database.prisma.enrolledFace.findMany({ select: { vectorPointId: true, indexState: true, modelId: true, imageSha256: true } });
    const exceptions = await database.prisma.enrolmentException.findMany({ select: { imageSha256: true } });
    expect(faces.every((face) => face.indexState === 'indexed')).toBe(true);
    const modelId = faces[0]!.modelId;
    expect((await index.listIds(modelId)).sort()).toEqual(faces.map((face) => face.vectorPointId).sort());
    return { faces, exceptions };
  } finally {
    await index.close();
    await database.close();
  }
}
