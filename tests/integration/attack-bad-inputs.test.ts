import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Database } from '@/lib/server/db/database';
import { buildAttackWorld, RECOGNIZER_ID, type AttackWorld } from '../support/attack-world';
import {
  corruptJpeg,
  gifar,
  jpegZipPolyglot,
  onePixelPng,
  pngBomb,
  pngHtmlPolyglot,
  svgWithScript,
  thirtyMegabytes,
  truncatedJpeg,
  ZIP_SIGNATURE,
} from '../support/hostile-images';
import { requestScope } from '../support/request-scope';
import { changesSince, takeSnapshot, type StateSnapshot } from '../support/state-snapshot';
import { openMemoryDatabase } from '../support/test-database';

// Hostile input through the server's real entry points: the exported actions (enrolment upload and
// probe recording) with a real session, the real wrapper and database. Each must get a clear error,
// an audit event of the refusal, and change nothing else: no row, no file under DATA_DIR.

vi.mock('next/headers', () => import('../support/request-scope'));
vi.mock('next/cache', () => ({ revalidatePath: () => undefined, revalidateTag: () => undefined }));

const dataDir = vi.hoisted(() => {
  const { mkdtempSync } = require('node:fs') as typeof import('node:fs');
  const { tmpdir } = require('node:os') as typeof import('node:os');
  const { join } = require('node:path') as typeof import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'rfr-attack-inputs-'));
  process.env.DATA_DIR = dir;
  process.env.AUTH_SECRET ??= 'attack-suite-secret-that-is-long-enough-0123456789';
  return dir;
});

type Result = { ok: boolean; data?: unknown; error?: { code: string; message: string; fieldErrors?: Record<string, string[]> } };
let database: Database;
let world: AttackWorld;
let enrolUploadedImage: (form: FormData) => Promise<Result>;
let recordProbeFaceForSearch: (form: FormData) => Promise<Result>;
let actions: Record<string, (input: unknown) => Promise<Result>>;

async function signInAs(actor: keyof AttackWorld['actors']) {
  requestScope.sessionCookie = await world.sessionCookieFor(world.actors[actor]);
}

/** The refusal as the user sees it, after checking it is audited and changed nothing else. */
async function expectCleanRefusal(result: Result, before: StateSnapshot, code = 'VALIDATION'): Promise<string> {
  expect(result.ok, JSON.stringify(result)).toBe(false);
  expect(result.error!.code).toBe(code);
  const { changes, auditEvents } = await changesSince(database, dataDir, before);
  expect(changes, 'a refusal changed more than the audit log').toEqual([]);
  expect(auditEvents.map((event) => [event.outcome, event.payload.code])).toEqual([['refused', code]]);
  const message = [result.error!.message, ...Object.values(result.error!.fieldErrors ?? {}).flat()].join(' ');
  return message;
}

const blob = (bytes: Buffer, type: string) => new Blob([new Uint8Array(bytes)], { type });

beforeAll(async () => {
  database = await openMemoryDatabase();
  (globalThis as { __rfrDatabase?: Promise<Database> }).__rfrDatabase = Promise.resolve(database);
  world = await buildAttackWorld(database, dataDir);
  ({ enrolUploadedImage } = (await import('@/lib/actions/enrolment')) as never);
  ({ recordProbeFaceForSearch } = (await import('@/lib/actions/probes')) as never);
  actions = {
    ...((await import('@/lib/actions/cases')) as unknown as Record<string, (input: unknown) => Promise<Result>>),
    ...((await import('@/lib/actions/watchlists')) as unknown as Record<string, (input: unknown) => Promise<Result>>),
    ...((await import('@/lib/actions/users')) as unknown as Record<string, (input: unknown) => Promise<Result>>),
    ...((await import('@/lib/actions/reviews')) as unknown as Record<string, (input: unknown) => Promise<Result>>),
    ...((await import('@/lib/actions/supervision')) as unknown as Record<string, (input: unknown) => Promise<Result>>),
  };
}, 300_000);

afterAll(async () => {
  const { closeVectorIndex } = await import('@/lib/server/vector/get-vector-index');
  await closeVectorIndex().catch(() => undefined);
  (globalThis as { __rfrDatabase?: Promise<Database> }).__rfrDatabase = undefined;
  await database?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('the state snapshot', () => {
  it('sees a row added, a file added, changed or removed, and lists the audit events added', async () => {
    const { mkdir, writeFile, unlink } = await import('node:fs/promises');
    await mkdir(join(dataDir, 'probe-of-snapshot'), { recursive: true });
    await writeFile(join(dataDir, 'probe-of-snapshot', 'kept.bin'), 'one');
    await writeFile(join(dataDir, 'probe-of-snapshot', 'removed.bin'), 'two');
    const before = await takeSnapshot(database, dataDir);
    await database.prisma.team.create({ data: { name: world.unique('Snapshot team') } });
    await writeFile(join(dataDir, 'probe-of-snapshot', 'kept.bin'), 'one, changed');
    await writeFile(join(dataDir, 'probe-of-snapshot', 'added.bin'), 'three');
    await unlink(join(dataDir, 'probe-of-snapshot', 'removed.bin'));
    const { recordAuditEvent } = await import('@/lib/server/audit/append-audit-event');
    await recordAuditEvent(database.prisma, { actorId: null, actorRole: null, action: 'snapshot.probe', outcome: 'refused', payload: { code: 'FORBIDDEN' } });
    const { changes, auditEvents } = await changesSince(database, dataDir, before);
    expect(changes).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^table teams: \d+ → \d+ rows$/),
        'file added: probe-of-snapshot/added.bin',
        'file changed: probe-of-snapshot/kept.bin',
        'file removed: probe-of-snapshot/removed.bin',
      ]),
    );
    expect(auditEvents.map((event) => event.action)).toEqual(['snapshot.probe']);
    await rm(join(dataDir, 'probe-of-snapshot'), { recursive: true, force: true });
  });
});

const HOSTILE_IMAGES: [label: string, make: () => Buffer | Promise<Buffer>, message: RegExp][] = [
  ['a corrupt JPEG', corruptJpeg, /could not be (read|decoded)/],
  ['a truncated JPEG', truncatedJpeg, /damaged or incomplete/],
  ['an SVG with a script', () => svgWithScript(), /not a supported image|PNG or JPEG/i],
  ['PNG bytes in front of an HTML page', pngHtmlPolyglot, /could not be read|corrupt/i],
  ['a 20 000 × 20 000 decompression bomb (50 KB of PNG)', () => pngBomb(20_000, 20_000), /20000×20000.*refused|at most/i],
];

describe('hostile images through the enrolment upload', () => {
  for (const [label, make, message] of HOSTILE_IMAGES) {
    it(`refuses ${label} with a clear error, audited, changing nothing else`, async () => {
      await signInAs('admin');
      const list = await world.watchlist();
      const bytes = await make();
      const before = await takeSnapshot(database, dataDir);
      const said = await expectCleanRefusal(await enrolUploadedImage(world.enrolmentForm(list.id, blob(bytes, 'image/jpeg'))), before);
      expect(said).toMatch(message);
    });
  }

  it('refuses a 30 MB upload unread', async () => {
    await signInAs('admin');
    const list = await world.watchlist();
    const before = await takeSnapshot(database, dataDir);
    expect(await expectCleanRefusal(await enrolUploadedImage(world.enrolmentForm(list.id, blob(thirtyMegabytes(), 'image/jpeg'))), before)).toMatch(/up to 3 MB/);
  });

  it('sets a 1×1 image aside as having no face, with the reason, and stores no crop', async () => {
    await signInAs('admin');
    const list = await world.watchlist();
    const before = await takeSnapshot(database, dataDir);
    const result = await enrolUploadedImage(world.enrolmentForm(list.id, blob(await onePixelPng(), 'image/png')));
    expect(result).toMatchObject({ ok: true, data: { status: 'set_aside' } });
    expect(JSON.stringify(result.data)).toMatch(/face|small/i);
    const { changes } = await changesSince(database, dataDir, before);
    expect(changes.filter((change) => change.startsWith('file'))).toEqual([]);
  });

  for (const [label, make] of [['a JPEG with a ZIP archive appended', jpegZipPolyglot], ['a GIFAR (GIF + JAR)', gifar]] as const) {
    it(`takes ${label} for the image it is and never stores or serves the archive`, async () => {
      await signInAs('admin');
      const list = await world.watchlist();
      const before = await takeSnapshot(database, dataDir);
      const result = await enrolUploadedImage(world.enrolmentForm(list.id, blob(await make(), 'image/jpeg')));
      // A still with no face is set aside; either way no file under DATA_DIR holds the archive.
      expect(result.ok ? (result.data as { status: string }).status : result.error!.code).toMatch(/set_aside|VALIDATION/);
      const { changes } = await changesSince(database, dataDir, before);
      for (const change of changes.filter((entry) => entry.startsWith('file added: '))) {
        const stored = await readFile(join(dataDir, change.slice('file added: '.length)));
        expect(stored.includes(ZIP_SIGNATURE), `${change} holds the ZIP archive`).toBe(false);
      }
    });
  }
});

/** A probe face submission with a synthetic face (no model needed: every case here is refused first). */
function probeForm(caseId: string, options: { crop?: Buffer; embeddingJson?: string } = {}): FormData {
  const unit = Array.from({ length: 512 }, (_, index) => (index === 0 ? 1 : 0));
  const payload = {
    caseId,
    idempotencyKey: randomUUID(),
    still: { imageSha256: 'a'.repeat(64), width: 640, height: 480, source: 'CCTV export' },
    face: {
      box: { x: 10, y: 10, width: 80, height: 90 },
      landmarks: [[30, 40], [60, 40], [45, 55], [35, 70], [58, 70]],
      quality: { verdict: 'poor', metrics: {}, reasons: [] },
      detectorScore: 0.9,
      isManualBox: false,
      modelId: RECOGNIZER_ID,
      embedding: '__EMBEDDING__',
    },
  };
  const text = JSON.stringify(payload).replace('"__EMBEDDING__"', options.embeddingJson ?? JSON.stringify(unit));
  const form = new FormData();
  form.set('payload', text);
  form.set('crop', blob(options.crop ?? Buffer.alloc(0), 'image/png'), 'face.png');
  return form;
}

describe('hostile crops and embeddings through the probe recording', () => {
  const validCrop = async () => (await import('sharp')).default({ create: { width: 112, height: 112, channels: 3, background: '#888' } }).png().toBuffer();
  const CROPS: [string, () => Buffer | Promise<Buffer>, RegExp][] = [
    ...HOSTILE_IMAGES.map(([label, make]) => [label, make, /PNG or JPEG|could not be read|112×112|at most|corrupt/i] as [string, () => Buffer | Promise<Buffer>, RegExp]),
    ['a JPEG with a ZIP archive appended', jpegZipPolyglot, /112×112/],
    ['a 1×1 image', onePixelPng, /112×112/],
    ['a 30 MB file', thirtyMegabytes, /KiB/],
  ];
  for (const [label, make, message] of CROPS) {
    it(`refuses ${label} as the crop, audited, changing nothing else`, async () => {
      await signInAs('teamInvestigator');
      const caseId = await world.teamCase();
      const crop = await make();
      const before = await takeSnapshot(database, dataDir);
      expect(await expectCleanRefusal(await recordProbeFaceForSearch(probeForm(caseId, { crop })), before)).toMatch(message);
    });
  }

  const unit = (length: number) => Array.from({ length }, (_, index) => (index === 0 ? 1 : 0));
  const EMBEDDINGS: [string, string, RegExp][] = [
    ['of the wrong length', JSON.stringify(unit(511)), /511 values|Expected 512/],
    ['holding NaN (sent as JSON null)', JSON.stringify([null, ...unit(511)]), /must be finite numbers/],
    ['holding Infinity (1e999 in the JSON)', `[1e999,${unit(511).join(',')}]`, /must be finite numbers/],
    ['of huge norm', JSON.stringify(unit(512).map((value) => value * 1e6 + 1)), /L2-normalised|length 1/],
    ['that is not a list', '"0.1,0.2"', /list of numbers/i],
  ];
  for (const [label, embeddingJson, message] of EMBEDDINGS) {
    it(`refuses an embedding ${label}, audited, changing nothing else`, async () => {
      await signInAs('teamInvestigator');
      const caseId = await world.teamCase();
      const before = await takeSnapshot(database, dataDir);
      expect(await expectCleanRefusal(await recordProbeFaceForSearch(probeForm(caseId, { crop: await validCrop(), embeddingJson })), before)).toMatch(message);
    });
  }
});

// Quotes, comment markers and markup are ordinary text: stored exactly as typed (the database is only
// ever given parameters) and escaped wherever shown (React escapes; see the e2e matrix spec, which
// reads the rendered case page). The reference's own rule refuses them with a clear error.
const HOSTILE_TEXT = `Robert'); DROP TABLE cases; -- <script>alert("x")</script> <img src=x onerror=alert(1)> %00 \\' OR 1=1`;

describe('SQL and HTML in every text field', () => {
  it('keeps every free-text field verbatim and every table intact', async () => {
    const { prisma } = database;
    const tablesBefore = await takeSnapshot(database, dataDir);
    await signInAs('teamInvestigator');
    const opened = await actions.openCase!({ reference: world.unique('OP/SQL'), offence: HOSTILE_TEXT, purpose: HOSTILE_TEXT, legalBasis: HOSTILE_TEXT });
    expect(opened.ok, JSON.stringify(opened)).toBe(true);
    const caseId = (opened.data as { caseId: string }).caseId;
    expect(await prisma.case.findUniqueOrThrow({ where: { id: caseId }, select: { offence: true, purpose: true, legalBasis: true } })).toEqual({
      offence: HOSTILE_TEXT,
      purpose: HOSTILE_TEXT,
      legalBasis: HOSTILE_TEXT,
    });
    expect((await actions.placeCaseLegalHold!({ caseId, reason: HOSTILE_TEXT })).ok).toBe(true);
    expect((await prisma.case.findUniqueOrThrow({ where: { id: caseId } })).legalHoldReason).toBe(HOSTILE_TEXT);

    const search = await world.searchAwaitingSecondReview();
    await signInAs('secondReviewer');
    expect((await actions.takeSecondReview!({ searchId: search.searchId })).ok).toBe(true);
    const order = (await prisma.review.findUniqueOrThrow({ where: { searchId_stage: { searchId: search.searchId, stage: 'second' } } })).candidateOrder;
    const decisions = order.map((candidateId) => ({
      candidateId,
      decision: candidateId === search.candidateIds[0] ? 'possible_match' : 'no_match',
      rationale: candidateId === search.candidateIds[0] ? HOSTILE_TEXT : '',
      checklist: { ears: 'similar', hair: 'similar', marks: 'similar' },
    }));
    const committed = await actions.commitReview!({ searchId: search.searchId, decisions });
    expect(committed.ok, JSON.stringify(committed)).toBe(true);
    expect((await prisma.adjudication.findFirstOrThrow({ where: { candidateId: search.candidateIds[0], stage: 'second' } })).rationale).toBe(HOSTILE_TEXT);
    const requested = await actions.requestDisclosure!({ candidateId: search.candidateIds[0], statement: HOSTILE_TEXT });
    expect(requested.ok, JSON.stringify(requested)).toBe(true);
    const disclosureId = (requested.data as { disclosureId: string }).disclosureId;
    await signInAs('supervisor');
    expect((await actions.approveDisclosure!({ disclosureId, rationale: HOSTILE_TEXT })).ok).toBe(true);
    expect(await prisma.disclosure.findUniqueOrThrow({ where: { id: disclosureId }, select: { statement: true, decisionRationale: true } })).toEqual({
      statement: HOSTILE_TEXT,
      decisionRationale: HOSTILE_TEXT,
    });

    await signInAs('admin');
    const created = await actions.createWatchlist!({ name: `${HOSTILE_TEXT}`.slice(0, 120), purpose: HOSTILE_TEXT, authority: HOSTILE_TEXT, retentionDays: 30, reviewDate: '2031-01-01', searchableBy: [] });
    expect(created.ok, JSON.stringify(created)).toBe(true);
    expect(await prisma.watchlist.findUniqueOrThrow({ where: { id: (created.data as { watchlistId: string }).watchlistId }, select: { name: true, purpose: true, authority: true } })).toEqual({
      name: HOSTILE_TEXT.slice(0, 120),
      purpose: HOSTILE_TEXT,
      authority: HOSTILE_TEXT,
    });
    const user = await actions.createUser!({ email: `${world.unique('sql')}@attack.test`, displayName: HOSTILE_TEXT.slice(0, 120), role: 'investigator', teamName: HOSTILE_TEXT.slice(0, 120) });
    expect(user.ok, JSON.stringify(user)).toBe(true);
    expect(await prisma.user.findFirstOrThrow({ where: { displayName: HOSTILE_TEXT.slice(0, 120) }, select: { team: { select: { name: true } } } })).toEqual({ team: { name: HOSTILE_TEXT.slice(0, 120) } });

    // The audit log keeps what was typed too, and every table is still there.
    const events = await prisma.auditEvent.findMany({ where: { action: 'case.open', targetId: caseId } });
    expect(events[0]!.payload).toMatchObject({ offence: HOSTILE_TEXT });
    const after = await takeSnapshot(database, dataDir);
    expect(Object.keys(after.counts).sort()).toEqual(Object.keys(tablesBefore.counts).sort());
  });

  it('refuses markup in a case reference with a clear error, audited, changing nothing else', async () => {
    await signInAs('teamInvestigator');
    const before = await takeSnapshot(database, dataDir);
    const said = await expectCleanRefusal(await actions.openCase!({ reference: `OP/1'; DROP TABLE cases; --<b>`, offence: 'Theft', purpose: 'Identify the thief on CCTV', legalBasis: 'PACE s.1' }), before);
    expect(said).toMatch(/letters, digits/);
  });
});
