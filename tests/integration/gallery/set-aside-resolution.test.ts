import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActionDefiner } from '@/lib/server/actions/create-action-definer';
import { enrolSetAsideFaceSpec, inspectSetAsideSpec, type SetAsideDependencies } from '@/lib/server/actions/specs/set-aside';
import type { Actor } from '@/lib/server/auth/current-actor';
import type { Database } from '@/lib/server/db/database';
import { findWatchlistDetail } from '@/lib/server/dal/watchlists';
import { bytesToEmbedding } from '@/lib/server/gallery/embedding-bytes';
import { syncVectorIndex } from '@/lib/server/gallery/sync-vector-index';
import { CropStore } from '@/lib/server/storage/crop-store';
import { EmbeddedVectorIndex } from '@/lib/server/vector/embedded-index';
import { decodeImageFile } from '@/lib/server/vision/decode-image-file';
import { loadFacePipeline } from '@/lib/server/vision/load-face-pipeline';
import type { FacePipeline } from '@/lib/vision/face-pipeline';
import { enrolmentActionFor } from '../../support/enrolment-action';
import { buildCaseworkFixture, type CaseworkFixture } from '../../support/casework-fixture';
import { hasLfw, lfwImage, lfwMissingMessage } from '../../support/lfw';
import { countRows, openMemoryDatabase } from '../../support/test-database';

// Resolving a set-aside image with real faces: an enrolment photo showing two people is set aside by
// the normal enrolment; the administrator re-supplies the file (checked by SHA-256), sees both faces,
// and enrols the right one through the same write as every enrolment.
if (!hasLfw) console.warn(lfwMissingMessage);

const LEFT = ['Colin_Powell', 1] as const;
const RIGHT = ['Serena_Williams', 1] as const;

async function twoPeople(): Promise<Buffer> {
  return sharp({ create: { width: 520, height: 260, channels: 3, background: '#5a5f66' } })
    .composite([
      { input: lfwImage(...LEFT), left: 5, top: 5 },
      { input: lfwImage(...RIGHT), left: 265, top: 5 },
    ])
    .jpeg({ quality: 92 })
    .toBuffer();
}

const cosine = (a: Float32Array, b: Float32Array) => a.reduce((sum, value, index) => sum + value * b[index]!, 0) / (Math.hypot(...a) * Math.hypot(...b));

function filesUnder(directory: string): string[] {
  try {
    return readdirSync(directory, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name)).sort();
  } catch {
    return [];
  }
}

describe.skipIf(!hasLfw)('resolving a set-aside image by picking the face', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rfr-set-aside-'));
  let database: Database;
  let world: CaseworkFixture;
  let pipeline: FacePipeline;
  let crops: CropStore;
  let index: EmbeddedVectorIndex;
  let actor: Actor | null = null;
  let watchlist: { id: string; retentionDays: number };
  let exceptionId: string;
  let photo: Buffer;
  const as = (who: Actor | null) => {
    actor = who;
    return createActionDefiner({ getActor: async () => actor, getPrisma: async () => database.prisma, logError: () => {} });
  };
  const deps = (): SetAsideDependencies => ({ getPipeline: async () => pipeline, getCropStore: () => crops });
  const fileOf = (bytes: Buffer, name = 'two-people.jpg') => new File([new Uint8Array(bytes)], name, { type: 'image/jpeg' });

  async function snapshot() {
    const tables = ['subjects', 'enrolled_faces', 'enrolment_exceptions', 'watchlists'];
    return {
      counts: Object.fromEntries(await Promise.all(tables.map(async (table) => [table, await countRows(database, table)] as const))),
      exception: await database.prisma.enrolmentException.findUniqueOrThrow({ where: { id: exceptionId } }),
      version: (await database.prisma.watchlist.findUniqueOrThrow({ where: { id: watchlist.id } })).version,
      files: filesUnder(dataDir),
    };
  }

  beforeAll(async () => {
    database = await openMemoryDatabase();
    world = await buildCaseworkFixture(database, 'setaside');
    pipeline = await loadFacePipeline();
    crops = new CropStore(join(dataDir, 'crops'));
    index = new EmbeddedVectorIndex({ directory: join(dataDir, 'vectors') });
    watchlist = await database.prisma.watchlist.create({
      data: { name: 'Set-aside list', purpose: 'Testing set-aside resolution', authority: 'Test', ownerId: world.actors.admin.id, retentionDays: 30, reviewDate: new Date('2031-01-01') },
      select: { id: true, retentionDays: true },
    });
    photo = await twoPeople();
    const enrol = enrolmentActionFor({ prisma: database.prisma, actor: world.actors.admin, pipeline, crops });
    const outcome = await enrol({ watchlistId: watchlist.id, subjectReference: 'SERENA', bytes: photo, fileName: 'SERENA/two-people.jpg' });
    expect(outcome).toMatchObject({ ok: true, data: { status: 'set_aside', reason: 'several_faces' } });
    exceptionId = (await database.prisma.enrolmentException.findFirstOrThrow({ where: { watchlistId: watchlist.id } })).id;
  }, 120_000);

  afterAll(async () => {
    await index?.close?.();
    await database?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses a different file, other roles and no one, changing nothing and writing no file', async () => {
    const before = await snapshot();
    const other = readFileSync(lfwImage(...LEFT));
    const wrong = await as(world.actors.admin)(inspectSetAsideSpec(deps()))({ exceptionId, file: fileOf(other, 'other.jpg') });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'VALIDATION', fieldErrors: { file: ['Not the image that was set aside (SHA-256 differs).'] } } });
    expect(await as(world.actors.admin)(enrolSetAsideFaceSpec(deps()))({ exceptionId, file: fileOf(other, 'other.jpg'), faceNumber: 1 })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    for (const who of [world.actors.opener, world.actors.supervisor, null]) {
      expect(await as(who)(inspectSetAsideSpec(deps()))({ exceptionId, file: fileOf(photo) })).toMatchObject({ ok: false, error: { code: who ? 'FORBIDDEN' : 'UNAUTHENTICATED' } });
      expect(await as(who)(enrolSetAsideFaceSpec(deps()))({ exceptionId, file: fileOf(photo), faceNumber: 2 })).toMatchObject({ ok: false });
      const event = await database.prisma.auditEvent.findFirstOrThrow({ where: { action: 'enrolment.enrol_set_aside' }, orderBy: { sequence: 'desc' } });
      expect(event).toMatchObject({ outcome: 'refused', actorId: who?.id ?? null });
      expect(event.payload).toMatchObject({ exceptionId });
    }
    // A face number the image does not have is refused after the faces are found, before anything is written.
    expect(await as(world.actors.admin)(enrolSetAsideFaceSpec(deps()))({ exceptionId, file: fileOf(photo), faceNumber: 3 })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION', fieldErrors: { faceNumber: ['No such face in the image.'] } },
    });
    expect(await as(world.actors.admin)(enrolSetAsideFaceSpec(deps()))({ exceptionId, file: fileOf(photo), faceNumber: 'x' })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(await snapshot()).toEqual(before);
  }, 120_000);

  it('shows every face found in the re-supplied image as an aligned crop, left to right, and stores nothing', async () => {
    const before = await snapshot();
    const result = await as(world.actors.admin)(inspectSetAsideSpec(deps()))({ exceptionId, file: fileOf(photo) });
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    expect(result.data.subjectRef).toBe('SERENA');
    expect(result.data.faces.map((face) => face.number)).toEqual([1, 2]);
    expect(result.data.faces[0]!.box.x).toBeLessThan(result.data.faces[1]!.box.x);
    for (const face of result.data.faces) {
      const meta = await sharp(Buffer.from(face.cropPngBase64, 'base64')).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['png', 112, 112]);
      expect(face.isEnrollable).toBe(true);
    }
    const event = await database.prisma.auditEvent.findFirstOrThrow({ where: { action: 'enrolment.inspect_set_aside' }, orderBy: { sequence: 'desc' } });
    expect(event).toMatchObject({ outcome: 'success', targetType: 'enrolment_exception', targetId: exceptionId, payload: { facesFound: 2, watchlistId: watchlist.id } });
    expect(await snapshot()).toEqual(before);
  }, 120_000);

  it('enrols the face picked for the set-aside subject through the normal enrolment write, bumps the version and resolves the image once', async () => {
    const before = await snapshot();
    const result = await as(world.actors.admin)(enrolSetAsideFaceSpec(deps()))({ exceptionId, file: fileOf(photo), faceNumber: '2' });
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    const { enrolledFaceId, subjectId } = result.data;

    const face = await database.prisma.enrolledFace.findUniqueOrThrow({ where: { id: enrolledFaceId } });
    expect(face).toMatchObject({ subjectId, watchlistId: watchlist.id, indexState: 'pending', modelId: pipeline.recognizerId, imageSha256: before.exception.imageSha256 });
    expect((await database.prisma.subject.findUniqueOrThrow({ where: { id: subjectId } })).reference).toBe('SERENA');
    expect(face.expiresAt.getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    // The picked face is the right person: the embedding matches her own photograph, not his.
    const enrolled = bytesToEmbedding(face.embedding);
    const own = async (person: readonly [string, number]) => {
      const { image } = await decodeImageFile(readFileSync(lfwImage(...person)));
      return (await pipeline.analyseImage(image))[0]!.embedding;
    };
    expect(cosine(enrolled, await own(RIGHT))).toBeGreaterThan(0.5);
    expect(cosine(enrolled, await own(LEFT))).toBeLessThan(0.3);

    const after = await snapshot();
    expect(after.version).toBe(before.version + 1);
    expect(after.counts.enrolled_faces).toBe(before.counts.enrolled_faces! + 1);
    expect(after.files.filter((file) => !before.files.includes(file))).toHaveLength(1);
    expect(after.exception).toMatchObject({ resolution: 'enrolled', resolvedById: world.actors.admin.id, enrolledFaceId, resolutionReason: null });
    expect(after.exception.resolvedAt).toBeInstanceOf(Date);
    const event = await database.prisma.auditEvent.findFirstOrThrow({ where: { action: 'enrolment.enrol_set_aside', outcome: 'success' } });
    expect(event).toMatchObject({ actorId: world.actors.admin.id, targetType: 'enrolment_exception', targetId: exceptionId });
    expect(event.payload).toMatchObject({ enrolledFaceId, subjectId, faceNumber: 2, facesFound: 2, watchlistVersion: before.version + 1, previous: { resolvedAt: null, setAsideReason: 'several_faces' }, next: { resolution: 'enrolled' } });

    // The index sync every enrolment is followed by makes it searchable.
    await syncVectorIndex(database.prisma, index);
    expect((await database.prisma.enrolledFace.findUniqueOrThrow({ where: { id: enrolledFaceId } })).indexState).toBe('indexed');
    const detail = await findWatchlistDetail(watchlist.id, database.prisma);
    expect(detail?.setAside).toEqual([]);
    expect(detail?.resolvedSetAside).toEqual([expect.objectContaining({ id: exceptionId, resolution: 'enrolled', resolvedBy: 'Admin', enrolledFaceId })]);

    // Resolved once: a second pick (a double click) is refused and changes nothing.
    const settled = await snapshot();
    expect(await as(world.actors.admin)(enrolSetAsideFaceSpec(deps()))({ exceptionId, file: fileOf(photo), faceNumber: 1 })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(await snapshot()).toEqual(settled);
  }, 180_000);
});
