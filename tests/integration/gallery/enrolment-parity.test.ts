import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Actor } from '@/lib/server/auth/current-actor';
import { hasLfw, lfwImage, lfwMissingMessage } from '../../support/lfw';

// The issue: the CLI and the web upload wrote different audit events for the same outcome. Here the
// same four kinds of image (a face, the same file again, an image with no face, a file that is not an
// image) go through `npm run enrol` in its own process and through the admin page's server action
// (`enrolUploadedImage`, called with a FormData as the page sends it), into one store; the audit
// events must agree in everything but the request context, which says where each came from.
//
// What stands in for Next.js here: the session (a signed-in administrator), the request headers and
// the page cache. The wrapper, the specification, the database, the crop store, the vector index and
// the models are the real ones.
if (!hasLfw) console.warn(lfwMissingMessage);

const session = vi.hoisted(() => ({ actor: null as Actor | null }));
const WEB_USER_AGENT = 'Mozilla/5.0 (enrolment parity test)';
vi.mock('@/lib/server/auth/current-actor', () => ({ getCurrentActor: async () => session.actor, getAccountHolder: async () => session.actor }));
vi.mock('next/headers', () => ({ headers: async () => new Headers({ 'user-agent': WEB_USER_AGENT }), cookies: async () => ({ get: () => undefined }) }));
vi.mock('next/cache', () => ({ revalidatePath: () => undefined }));

const root = process.cwd();
const dataDir = mkdtempSync(join(tmpdir(), 'rfr-parity-'));
const imagesDir = join(dataDir, 'images');
const env = { ...process.env, DATA_DIR: dataDir, RFR_DEMO_PASSWORD: 'parity-test-password' };
const nodeArgs = ['--conditions=react-server', '--import', 'tsx'];
const ADMIN_EMAIL = 'admin@demo.local';

function runScript(args: string[]) {
  const result = spawnSync(process.execPath, [...nodeArgs, ...args], { cwd: root, env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${args.join(' ')} failed (${result.status}):\n${result.stderr}`);
  return result.stdout;
}

type EventShape = Record<string, unknown>;

/** What must agree between the two paths: everything but ids, file names, times and the request context. */
function shapeOf(event: { actorId: string | null; actorRole: string | null; action: string; outcome: string; targetType: string | null; payload: unknown }): EventShape {
  const payload = event.payload as Record<string, unknown>;
  // The quality verdict is the face's own (two photographs need not score alike), and the list's version
  // depends on what the list went through before: their presence and kind must agree.
  const { request: _request, source: _source, imageSha256: _hash, watchlistId, verdict, watchlistVersion, ...rest } = payload;
  return {
    actorId: event.actorId,
    actorRole: event.actorRole,
    action: event.action,
    outcome: event.outcome,
    targetType: event.targetType,
    payloadKeys: Object.keys(payload).sort(),
    hasWatchlistId: typeof watchlistId === 'string',
    verdict: typeof verdict,
    watchlistVersion: typeof watchlistVersion,
    ...rest,
  };
}

describe.skipIf(!hasLfw)('one enrolment path for the CLI and the web upload', () => {
  let closeAll: () => Promise<void> = async () => {};

  beforeAll(() => {
    mkdirSync(imagesDir);
    runScript(['scripts/prepare-store.ts']);
  }, 180_000);

  afterAll(async () => {
    await closeAll();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('writes the same audit events for the same outcomes, told apart only by where they came from', async () => {
    // The command line: a face, the same file under another name, a face-less image, a text file.
    copyFileSync(lfwImage('Colin_Powell', 1), join(imagesDir, 'powell-1.jpg'));
    copyFileSync(lfwImage('Colin_Powell', 1), join(imagesDir, 'powell-1-copy.jpg'));
    await sharp({ create: { width: 200, height: 200, channels: 3, background: '#777' } }).png().toFile(join(imagesDir, 'blank-cli.png'));
    writeFileSync(join(imagesDir, 'notes-cli.jpg'), 'not an image at all');
    writeFileSync(join(imagesDir, 'cli.csv'), 'path,subject\npowell-1.jpg,Colin_Powell\npowell-1-copy.jpg,Colin_Powell\nblank-cli.png,Nobody\nnotes-cli.jpg,Nobody\n');
    const cliLines = runScript([
      'scripts/enrol.ts',
      '--as',
      ADMIN_EMAIL,
      '--watchlist',
      'Parity',
      '--csv',
      join(imagesDir, 'cli.csv'),
      '--json',
      '--create',
      '--purpose',
      'One enrolment path for the CLI and the web',
      '--authority',
      'Test authority',
      '--retention-days',
      '30',
    ])
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(cliLines.slice(0, 4).map((line) => line.status)).toEqual(['enrolled', 'duplicate', 'set_aside', 'refused']);
    expect(cliLines[4]).toMatchObject({ total: 4, enrolled: 1, duplicate: 1, setAside: 1, refused: 1 });

    // The web: the same kinds of image, through the admin page's server action, in this process.
    process.env.DATA_DIR = dataDir;
    const { getConfig } = await import('@/lib/server/config');
    expect(getConfig().dataDir).toBe(resolve(dataDir));
    const { getDatabase } = await import('@/lib/server/db/database');
    const { closeVectorIndex } = await import('@/lib/server/vector/get-vector-index');
    const { enrolUploadedImage } = await import('@/lib/actions/enrolment');
    const database = await getDatabase();
    closeAll = async () => {
      await closeVectorIndex();
      await database.close();
    };
    const { prisma } = database;
    session.actor = await prisma.user.findUniqueOrThrow({ where: { email: ADMIN_EMAIL }, select: { id: true, email: true, displayName: true, role: true, teamId: true } });
    const watchlist = await prisma.watchlist.findFirstOrThrow({ where: { name: 'Parity' } });
    const blank = await sharp({ create: { width: 200, height: 200, channels: 3, background: '#888' } }).png().toBuffer();
    const upload = async (bytes: Uint8Array, fileName: string, subjectReference: string) => {
      const form = new FormData();
      form.set('watchlistId', watchlist.id);
      form.set('subjectReference', subjectReference);
      form.set('fileName', fileName);
      form.set('file', new File([new Uint8Array(bytes)], fileName));
      return enrolUploadedImage(form);
    };
    const powell2 = new Uint8Array(readFileSync(lfwImage('Colin_Powell', 2)));
    const web = [
      await upload(powell2, 'powell-2.jpg', 'Colin_Powell'),
      await upload(powell2, 'powell-2-copy.jpg', 'Colin_Powell'),
      await upload(new Uint8Array(blank), 'blank-web.png', 'Nobody'),
      await upload(new TextEncoder().encode('not an image either'), 'notes-web.jpg', 'Nobody'),
    ];
    expect(web.map((result) => (result.ok ? result.data.status : result.error.code))).toEqual(['enrolled', 'duplicate', 'set_aside', 'VALIDATION']);

    const events = await prisma.auditEvent.findMany({ where: { action: { startsWith: 'enrolment.' } }, orderBy: { sequence: 'asc' } });
    const from = (agent: (userAgent: string) => boolean) =>
      events.filter((event) => agent(String(((event.payload as { request?: { userAgent?: string } }).request ?? {}).userAgent ?? '')));
    const cliEvents = from((agent) => agent.startsWith('cli:enrol'));
    const webEvents = from((agent) => agent === WEB_USER_AGENT);
    expect(cliEvents).toHaveLength(4);
    expect(webEvents).toHaveLength(4);
    expect(cliEvents.length + webEvents.length).toBe(events.length);

    const cliShapes = cliEvents.map(shapeOf);
    expect(cliShapes).toEqual(webEvents.map(shapeOf));
    // And they say what happened, attributed to the administrator named on the command line.
    expect(cliShapes.map((shape) => [shape.action, shape.outcome, shape.status ?? shape.code])).toEqual([
      ['enrolment.enrol', 'success', 'enrolled'],
      ['enrolment.enrol', 'success', 'duplicate'],
      ['enrolment.enrol', 'success', 'set_aside'],
      ['enrolment.enrol', 'refused', 'VALIDATION'],
    ]);
    expect(cliShapes.every((shape) => shape.actorId === session.actor!.id && shape.actorRole === 'admin')).toBe(true);
    const created = await prisma.auditEvent.findFirstOrThrow({ where: { action: 'watchlist.create' } });
    expect(created).toMatchObject({ actorId: session.actor.id, actorRole: 'admin', outcome: 'success', targetId: watchlist.id });
    expect(watchlist.ownerId).toBe(session.actor.id);
  });
});
