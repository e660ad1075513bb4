import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createActionDefiner } from '@/lib/server/actions/create-action-definer';
import { recordProbeFaceSpec } from '@/lib/server/actions/specs/record-probe-face';
import { runSearchSpec } from '@/lib/server/actions/specs/run-search';
import type { Actor } from '@/lib/server/auth/current-actor';
import { getConfig } from '@/lib/server/config';
import type { Database } from '@/lib/server/db/database';
import { readProbeFaceForm } from '@/lib/server/probes/read-probe-face-form';
import { removeUnreferencedProbeCrop } from '@/lib/server/probes/record-probe-face';
import { MIN_EMBEDDING_AGREEMENT } from '@/lib/server/probes/verify-probe-face';
import { cropStoreFor, encodeCropPixels } from '@/lib/server/storage/crop-store';
import { closeVectorIndex } from '@/lib/server/vector/get-vector-index';
import { decodeImageFile } from '@/lib/server/vision/decode-image-file';
import { getSharedFacePipeline } from '@/lib/server/vision/shared-face-pipeline';
import { buildProbeFaceFormData, type RecordProbeFacePayload, toProbeFaceInput } from '@/lib/shared/schemas/probe';
import type { FaceAnalysis, FacePipeline } from '@/lib/vision/face-pipeline';
import { openMemoryDatabase } from '../../support/test-database';
import { hasLfw, lfwImage, lfwMissingMessage } from '../../support/lfw';

// The probe recording exactly as the browser calls it (FormData → adapter → action wrapper → spec),
// on a real in-memory PostgreSQL engine and the real face models: what it stores, what it refuses,
// what it audits and what it leaves on disk.
if (!hasLfw) console.warn(`${lfwMissingMessage} (the server verification tests that need real faces are skipped)`);

const dataDir = mkdtempSync(join(tmpdir(), 'rfr-probes-'));
process.env.DATA_DIR = dataDir;

let database: Database;
let investigator: Actor;
let outsider: Actor;
let currentActor: Actor;
let caseId: string;
let otherCaseId: string;
let outsiderCaseId: string;
let watchlistId: string;

const defineAction = createActionDefiner({ getActor: async () => currentActor, getPrisma: async () => database.prisma });
const recordProbeFace = defineAction(recordProbeFaceSpec);
const runSearch = defineAction(runSearchSpec);
const submit = async (payload: RecordProbeFacePayload, crop: Buffer) => recordProbeFace(await readProbeFaceForm(buildProbeFaceFormData(payload, new Blob([new Uint8Array(crop)], { type: 'image/png' }))));

async function cropFiles(): Promise<number> {
  const root = join(dataDir, 'crops');
  return (await readdir(root, { recursive: true }).catch(() => [] as string[])).filter((name) => String(name).endsWith('.png')).length;
}

async function lastAudit() {
  return database.prisma.auditEvent.findFirstOrThrow({ orderBy: { sequence: 'desc' } });
}

function payloadFor(face: FaceAnalysis, overrides: { embedding?: number[]; verdict?: 'good' | 'usable' | 'poor'; caseId?: string; key?: string } = {}): RecordProbeFacePayload {
  const input = toProbeFaceInput(face);
  return {
    caseId: overrides.caseId ?? caseId,
    idempotencyKey: overrides.key ?? randomUUID(),
    still: { imageSha256: randomUUID().replaceAll('-', '').padEnd(64, '0'), width: 250, height: 250, source: 'CCTV export' },
    face: {
      ...input,
      quality: { ...input.quality, verdict: overrides.verdict ?? input.quality.verdict },
      embedding: overrides.embedding ?? input.embedding,
    },
  };
}

const png = (image: { data: Uint8Array | Uint8ClampedArray; width: number; height: number }) =>
  sharp(Buffer.from(image.data), { raw: { width: image.width, height: image.height, channels: 3 } }).png().toBuffer();

beforeAll(async () => {
  if (getConfig().dataDir !== dataDir) throw new Error('configuration was read before the test chose its data folder');
  database = await openMemoryDatabase();
  const { prisma } = database;
  const team = await prisma.team.create({ data: { name: 'Probe team' } });
  const otherTeam = await prisma.team.create({ data: { name: 'Other team' } });
  const makeUser = (email: string, teamId: string) =>
    prisma.user.create({ data: { email, displayName: email, role: 'investigator', passwordHash: '!', teamId }, select: { id: true, email: true, displayName: true, role: true, teamId: true } });
  investigator = await makeUser('probe@test', team.id);
  outsider = await makeUser('outsider@test', otherTeam.id);
  const makeCase = async (reference: string, actor: Actor) =>
    (await prisma.case.create({ data: { reference, offence: 'Robbery', purpose: 'Identify the robber', legalBasis: 'PACE s.1', openedById: actor.id, teamId: actor.teamId! } })).id;
  caseId = await makeCase('OP/PROBE/1', investigator);
  otherCaseId = await makeCase('OP/PROBE/2', investigator);
  outsiderCaseId = await makeCase('OP/OTHER/1', outsider);
  watchlistId = (
    await prisma.watchlist.create({
      data: { name: 'Empty list', purpose: 'Test', authority: 'Test', ownerId: investigator.id, retentionDays: 30, reviewDate: new Date(Date.now() + 86_400_000) },
    })
  ).id;
}, 120_000);

afterAll(async () => {
  await closeVectorIndex();
  await database?.close();
  await rm(dataDir, { recursive: true, force: true });
});

beforeEach(() => {
  currentActor = investigator;
});

describe('recording a probe face: the form and the object check', () => {
  it('refuses a form whose payload is not JSON, or that has no crop, through the wrapper and audited', async () => {
    const form = new FormData();
    form.set('payload', '{"caseId": ');
    const result = await recordProbeFace(await readProbeFaceForm(form));
    expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    if (!result.ok) expect(Object.keys(result.error.fieldErrors ?? {}).sort()).toEqual(['crop', 'payload']);
    expect(await lastAudit()).toMatchObject({ action: 'probe.record_face', outcome: 'refused' });
  });

  it("refuses a case of another team as not found before any slow work, leaving no file", async () => {
    const before = await cropFiles();
    const crop = await sharp({ create: { width: 112, height: 112, channels: 3, background: '#808080' } }).png().toBuffer();
    const unit = Array.from({ length: 512 }, (_, i) => (i === 0 ? 1 : 0));
    for (let attempt = 0; attempt < 5; attempt++) {
      const result = await submit(
        {
          caseId: outsiderCaseId,
          idempotencyKey: randomUUID(),
          still: { imageSha256: 'b'.repeat(64), width: 10, height: 10, source: 'CCTV' },
          face: {
            box: { x: 0, y: 0, width: 10, height: 10 },
            landmarks: [[1, 1], [2, 1], [1.5, 2], [1, 3], [2, 3]],
            quality: { verdict: 'poor', metrics: {}, reasons: [] },
            detectorScore: 0.9,
            isManualBox: false,
            modelId: 'faceplugin-fr-feature-512@0.0.1',
            embedding: unit,
          },
        },
        crop,
      );
      expect(result).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    }
    expect(await cropFiles()).toBe(before);
    const event = await lastAudit();
    expect(event).toMatchObject({ action: 'probe.record_face', outcome: 'refused' });
    expect(event.payload).toMatchObject({ code: 'NOT_FOUND', caseId: outsiderCaseId });
  });

  it('removes a crop file that no row references, and keeps one that a row does', async () => {
    const crops = cropStoreFor(dataDir);
    const pending = await encodeCropPixels('probe', { width: 2, height: 2, channels: 3, data: new Uint8Array(12).fill(7) });
    await crops.writePending(pending);
    expect(await crops.read(pending.key)).toBeInstanceOf(Buffer);
    await removeUnreferencedProbeCrop(database.prisma, crops, pending.key);
    await expect(crops.read(pending.key)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe.skipIf(!hasLfw)('the server verifies every probe face (LFW)', () => {
  let pipeline: FacePipeline;
  let colin: FaceAnalysis;
  let colinCrop: Buffer;
  let tony: FaceAnalysis;

  async function analyse(person: string, number: number): Promise<FaceAnalysis> {
    const { image } = await decodeImageFile(readFileSync(lfwImage(person, number)));
    const [face] = await pipeline.analyseImage(image);
    if (!face) throw new Error(`no face in ${person} ${number}`);
    return face;
  }

  async function expectRefused(result: Awaited<ReturnType<typeof submit>>, field: string, message: RegExp, filesBefore: number) {
    expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    if (result.ok) return;
    expect(result.error.message).toMatch(message);
    expect(Object.keys(result.error.fieldErrors ?? {})).toContain(field);
    const event = await lastAudit();
    expect(event).toMatchObject({ action: 'probe.record_face', outcome: 'refused' });
    expect(event.payload).toMatchObject({ code: 'VALIDATION', caseId });
    expect(await cropFiles()).toBe(filesBefore);
  }

  beforeAll(async () => {
    pipeline = await getSharedFacePipeline();
    colin = await analyse('Colin_Powell', 1);
    colinCrop = await png(colin.aligned);
    tony = await analyse('Tony_Blair', 2);
  });

  it('refuses a crop that is not the 112×112 aligned crop', async () => {
    const before = await cropFiles();
    const tiny = await sharp(colinCrop).resize(24, 24).png().toBuffer();
    await expectRefused(await submit(payloadFor(colin), tiny), 'crop', /112×112 aligned crop.*24×24/, before);
  });

  it("refuses an embedding that is not this crop's: a random unit vector, or another person's", async () => {
    const before = await cropFiles();
    let seed = 1;
    const random = Array.from({ length: 512 }, () => ((seed = (seed * 16807) % 2147483647) / 2147483647) - 0.5);
    const norm = Math.hypot(...random);
    await expectRefused(await submit(payloadFor(colin, { embedding: random.map((v) => v / norm) }), colinCrop), 'payload.face.embedding', /does not match the face crop/, before);
    await expectRefused(await submit(payloadFor(colin, { embedding: Array.from(tony.embedding) }), colinCrop), 'payload.face.embedding', /does not match the face crop/, before);
  });

  it('refuses a claimed "good" on a crop the server measures as poor', async () => {
    const before = await cropFiles();
    // A heavily blurred crop, with its own (matching) embedding, so that only the quality claim is false.
    const blurred = await sharp(colinCrop).blur(4).png().toBuffer();
    const { data } = await sharp(blurred).raw().toBuffer({ resolveWithObject: true });
    const aligned = { width: 112, height: 112, channels: 3 as const, data: new Uint8Array(data) };
    const embedding = Array.from(await pipeline.embedAlignedFace(aligned, colin.landmarks.points5));
    await expectRefused(await submit(payloadFor(colin, { embedding, verdict: 'good' }), blurred), 'payload.face.quality.verdict', /submitted as "good".*measures "poor".*blurred/, before);
  });

  it("accepts a genuine face and stores the server's quality, verdict and agreement; the search applies the server's verdict", async () => {
    const before = await cropFiles();
    // Claimed worse than it is: allowed (only a better claim is refused), and the server's verdict rules.
    const result = await submit(payloadFor(colin, { verdict: 'poor' }), colinCrop);
    expect(result).toMatchObject({ ok: true, data: { isAlreadyRecorded: false } });
    if (!result.ok) return;
    const stored = await database.prisma.probeFace.findUniqueOrThrow({ where: { id: result.data.probeFaceId } });
    expect(stored.embeddingAgreement).toBeGreaterThanOrEqual(MIN_EMBEDDING_AGREEMENT);
    expect(stored.qualityVerdict).toBe('poor');
    expect(stored.serverQualityVerdict).toBe(colin.quality.verdict);
    expect(stored.serverQualityVerdict).not.toBe('poor');
    expect(stored.serverQuality).toMatchObject({ metrics: { sharpness: expect.any(Number), interEyePx: expect.any(Number) } });
    expect(await cropFiles()).toBe(before + 1);
    expect(await lastAudit()).toMatchObject({ action: 'probe.record_face', outcome: 'success', targetId: result.data.probeFaceId });

    const searched = await runSearch({ probeFaceId: result.data.probeFaceId, watchlistIds: [watchlistId], mode: 'rank' });
    expect(searched.ok).toBe(true);
    if (!searched.ok) return;
    const search = await database.prisma.search.findUniqueOrThrow({ where: { id: searched.data.searchId } });
    expect(search.completedAt).toBeInstanceOf(Date);
  });

  it("needs a reason to search a face the server measures as poor, and keeps the reason with the face", async () => {
    const blurred = await sharp(colinCrop).blur(4).png().toBuffer();
    const { data } = await sharp(blurred).raw().toBuffer({ resolveWithObject: true });
    const embedding = Array.from(await pipeline.embedAlignedFace({ width: 112, height: 112, channels: 3, data: new Uint8Array(data) }, colin.landmarks.points5));
    const recorded = await submit(payloadFor(colin, { embedding, verdict: 'poor' }), blurred);
    if (!recorded.ok) throw new Error(recorded.error.message);
    const search = (reason?: string) => runSearch({ probeFaceId: recorded.data.probeFaceId, watchlistIds: [watchlistId], mode: 'rank', qualityOverrideReason: reason });
    expect(await search()).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    const reason = 'Only image of the robber; searched to find leads.';
    expect((await search(reason)).ok).toBe(true);
    const face = await database.prisma.probeFace.findUniqueOrThrow({ where: { id: recorded.data.probeFaceId } });
    expect(face.qualityOverrideReason).toBe(reason);
  });

  it('returns the face already recorded for a retried submission, and refuses the key to anyone else', async () => {
    const key = randomUUID();
    const first = await submit(payloadFor(tony, { key }), await png(tony.aligned));
    if (!first.ok) throw new Error(first.error.message);
    const faces = await database.prisma.probeFace.count();
    const files = await cropFiles();

    const retry = await submit(payloadFor(tony, { key }), await png(tony.aligned));
    expect(retry).toMatchObject({ ok: true, data: { probeFaceId: first.data.probeFaceId, isAlreadyRecorded: true } });
    expect(await database.prisma.probeFace.count()).toBe(faces);
    expect(await cropFiles()).toBe(files);

    // The same key in another case, or from another team: the same answer, which says nothing of where.
    const elsewhere = await submit(payloadFor(tony, { key, caseId: otherCaseId }), await png(tony.aligned));
    currentActor = outsider;
    const stranger = await submit(payloadFor(tony, { key, caseId: outsiderCaseId }), await png(tony.aligned));
    for (const result of [elsewhere, stranger]) {
      expect(result).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
      if (!result.ok) expect(result.error.message).not.toContain(first.data.probeFaceId);
    }
    expect(await database.prisma.probeFace.count()).toBe(faces);
    expect(await cropFiles()).toBe(files);
  });
});
