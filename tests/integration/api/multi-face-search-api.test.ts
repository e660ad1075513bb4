import { readFileSync, rmSync } from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createActionDefiner } from '@/lib/server/actions/create-action-definer';
import { createApiClientSpec } from '@/lib/server/actions/specs/api-clients';
import { issueAccessToken } from '@/lib/server/api/api-token';
import type { Actor } from '@/lib/server/auth/current-actor';
import type { Database } from '@/lib/server/db/database';
import { bytesToEmbedding } from '@/lib/server/gallery/embedding-bytes';
import { adaptProbeVector, loadProbeAdapter } from '@/lib/server/search/probe-adapter';
import { calibrationTableFor } from '@/lib/shared/calibration/false-match-rate';
import { syncVectorIndex } from '@/lib/server/gallery/sync-vector-index';
import { cropStoreFor } from '@/lib/server/storage/crop-store';
import { closeVectorIndex, getVectorIndex } from '@/lib/server/vector/get-vector-index';
import { decodeImageFile } from '@/lib/server/vision/decode-image-file';
import { getSharedFacePipeline } from '@/lib/server/vision/shared-face-pipeline';
import { enrolmentActionFor } from '../../support/enrolment-action';
import { hasLfw, lfwImage, lfwMissingMessage } from '../../support/lfw';
import { changesSince, takeSnapshot } from '../../support/state-snapshot';
import { bothDatabaseEngines, countRows } from '../../support/test-database';

// POST /api/v1/searches with several faces of one person, through the route handlers as Next.js calls
// them (a real bearer token, a real multipart body), the real face models, the embedded index and the
// real calibration, on PGlite and on the machine's PostgreSQL: the faces are searched as one probe
// (max fusion, each candidate naming its best face), a bad face refuses the whole request leaving
// nothing but the audit log, a retry replays, and a one-face search is what it always was.

const dataDir = vi.hoisted(() => {
  const { mkdtempSync } = require('node:fs') as typeof import('node:fs');
  const { tmpdir } = require('node:os') as typeof import('node:os');
  const { join } = require('node:path') as typeof import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'rfr-api-multi-face-'));
  process.env.DATA_DIR = dir;
  process.env.AUTH_SECRET ??= 'api-multi-face-secret-that-is-long-enough-0123456789';
  return dir;
});

if (!hasLfw) console.warn(lfwMissingMessage);

const PEOPLE = ['Colin_Powell', 'Serena_Williams', 'Gerhard_Schroeder'] as const;
const PURPOSE = 'Identify a person stopped in the street who will not give their name';
const holder = globalThis as { __rfrDatabase?: Promise<Database> };

const engines = bothDatabaseEngines();

afterAll(async () => {
  await closeVectorIndex();
  rmSync(dataDir, { recursive: true, force: true });
});

const photo = (person: string, number: number) => new Blob([readFileSync(lfwImage(person, number))], { type: 'image/jpeg' });
/** A frame out of focus: the server measures it poor (below the default policy minimum, usable). */
const blurred = async (person: string, number: number) => new Blob([new Uint8Array(await sharp(readFileSync(lfwImage(person, number))).blur(2).jpeg().toBuffer())], { type: 'image/jpeg' });

/** A face as a client that runs the recogniser itself sends it: the aligned crop and its embedding. */
async function clientFace(person: string, number: number): Promise<{ crop: Blob; embedding: number[]; modelId: string }> {
  const pipeline = await getSharedFacePipeline();
  const { image } = await decodeImageFile(readFileSync(lfwImage(person, number)));
  const [face] = await pipeline.analyseImage(image);
  if (!face) throw new Error(`no face in ${person} ${number}`);
  const png = await sharp(Buffer.from(face.aligned.data), { raw: { width: 112, height: 112, channels: 3 } }).png().toBuffer();
  return { crop: new Blob([new Uint8Array(png)], { type: 'image/png' }), embedding: Array.from(face.embedding), modelId: pipeline.recognizerId };
}

type Part = [name: string, value: string | Blob];
type ApiCandidate = { id: string; rank: number; subject: { id: string; reference: string }; score: { raw: number }; bestProbeFacePosition: number | null };
type ApiSearch = { id: string; probeFaceCount: number; probeFaces: { position: number; quality: { verdict: string } }[]; candidates: ApiCandidate[] };

describe.skipIf(!hasLfw).each(engines)('POST /api/v1/searches with several faces of one person ($name)', (engine) => {
  let database: Database | null = null;
  let token = '';
  let clientId = '';
  let referenceCount = 0;
  const nextReference = () => `API-MULTI-${String((referenceCount += 1)).padStart(4, '0')}`;

  beforeAll(async () => {
    database = await engine.open();
    if (!database) return;
    holder.__rfrDatabase = Promise.resolve(database);
    const { prisma } = database;
    const admin: Actor = await prisma.user.create({ data: { email: 'admin@api.test', displayName: 'Admin', role: 'admin', passwordHash: 'x' }, select: { id: true, email: true, displayName: true, role: true, teamId: true } });
    await prisma.team.create({ data: { name: 'Street team' } });
    const watchlist = await prisma.watchlist.create({ data: { name: 'API suspects', purpose: 'Testing', authority: 'Test', ownerId: admin.id, retentionDays: 30, reviewDate: new Date('2030-01-01') } });
    const enrol = enrolmentActionFor({ prisma, actor: admin, pipeline: await getSharedFacePipeline(), crops: cropStoreFor(dataDir) });
    for (const person of PEOPLE) {
      for (const number of [1, 2]) {
        const enrolled = await enrol({ watchlistId: watchlist.id, subjectReference: person, bytes: new Uint8Array(readFileSync(lfwImage(person, number))), fileName: `${person}_${number}.jpg` });
        if (!enrolled.ok) throw new Error(JSON.stringify(enrolled.error));
      }
    }
    await syncVectorIndex(prisma, getVectorIndex());
    const define = createActionDefiner({ getActor: async () => admin, getPrisma: async () => prisma, getRequestContext: async () => ({ ip: null, userAgent: 'test' }), logError: () => {} });
    const created = await define(createApiClientSpec)({ name: 'Mobile app', team: 'Street team', watchlists: ['API suspects'], rate: '1000/s' });
    if (!created.ok) throw new Error(JSON.stringify(created.error));
    clientId = created.data.clientId;
    const client = await prisma.apiClient.findUniqueOrThrow({ where: { id: clientId }, select: { id: true, secretRotatedAt: true } });
    token = (await issueAccessToken(client)).accessToken;
  }, 300_000);

  afterAll(async () => {
    holder.__rfrDatabase = undefined;
    await database?.close();
    await engine.cleanup();
  });

  async function post(parts: Part[], headers: Record<string, string> = {}) {
    const { POST } = await import('@/app/api/v1/searches/route');
    const body = new FormData();
    for (const [name, value] of parts) {
      if (typeof value === 'string') body.append(name, value);
      else body.append(name, value, name === 'crop' ? 'crop.png' : 'photo.jpg');
    }
    const response = await POST(new Request('http://127.0.0.1/api/v1/searches', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'user-agent': 'api-test', ...headers }, body }));
    return { response, body: (await response.json()) as Record<string, unknown> };
  }
  const fieldsFor = (reference: string): Part[] => [['reference', reference], ['purpose', PURPOSE], ['operator', 'PC-1234']];

  /** Posts a request that must be refused and checks it left nothing but one refused audit event. */
  async function expectRefusedLeavingNothing(parts: Part[], expected: { status: number; code: string; errorKey: string; auditAction: string }) {
    const before = await takeSnapshot(database!, dataDir);
    const { response, body } = await post(parts);
    expect(response.status, JSON.stringify(body)).toBe(expected.status);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(body.code).toBe(expected.code);
    expect(Object.keys(body.errors as Record<string, string[]>)).toEqual([expected.errorKey]);
    const { changes, auditEvents } = await changesSince(database!, dataDir, before);
    expect(changes, 'a refused request changed more than the audit log').toEqual([]);
    expect(auditEvents.map((event) => [event.action, event.outcome])).toEqual([[expected.auditAction, 'refused']]);
    return { body, auditEvents };
  }

  it('searches three photos as one probe: three faces recorded, each candidate at its best over them, and the face that gave it named', async (context) => {
    if (!database) return context.skip();
    const { prisma } = database;
    const { response, body } = await post([...fieldsFor(nextReference()), ['image', photo('Colin_Powell', 3)], ['image', photo('Colin_Powell', 4)], ['image', photo('Colin_Powell', 5)]]);
    expect(response.status, JSON.stringify(body)).toBe(201);
    const search = body as unknown as ApiSearch;
    expect(search.probeFaceCount).toBe(3);
    expect(search.probeFaces.map((face) => face.position)).toEqual([0, 1, 2]);
    expect(search.candidates[0]!.subject.reference).toBe('Colin_Powell');

    const recorded = await prisma.searchProbeFace.findMany({ where: { searchId: search.id }, orderBy: { position: 'asc' }, select: { probeFaceId: true, position: true, probeFace: { select: { embedding: true, probe: { select: { caseId: true } } } } } });
    expect(recorded.map((face) => face.position)).toEqual([0, 1, 2]);
    expect(new Set(recorded.map((face) => face.probeFaceId)).size).toBe(3);
    expect(new Set(recorded.map((face) => face.probeFace.probe.caseId)).size).toBe(1);
    expect(await prisma.search.findUniqueOrThrow({ where: { id: search.id }, select: { probeFaceId: true } })).toEqual({ probeFaceId: recorded[0]!.probeFaceId });

    // Max fusion, worked out here from the stored vectors (each probe vector through the probe adapter
    // the model's table names, as the search looks with it): each candidate's score is its best over the
    // three probe faces and its enrolled faces, and bestProbeFacePosition is the face that gave it.
    const adapter = loadProbeAdapter(calibrationTableFor((await getSharedFacePipeline()).recognizerId)!.probeAdapterId!);
    const probeVectors = recorded.map((face) => adaptProbeVector(adapter, bytesToEmbedding(face.probeFace.embedding)));
    const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, value, index) => sum + value * b[index]!, 0);
    for (const candidate of search.candidates) {
      const enrolled = await prisma.enrolledFace.findMany({ where: { subjectId: candidate.subject.id }, select: { embedding: true } });
      const perFace = probeVectors.map((probe) => Math.max(...enrolled.map((face) => dot(probe, bytesToEmbedding(face.embedding)))));
      const best = Math.max(...perFace);
      expect(candidate.score.raw).toBeCloseTo(best, 4);
      expect(candidate.bestProbeFacePosition).toBe(perFace.indexOf(best));
    }
    // The response agrees with what the search recorded about each candidate's best face.
    const stored = await prisma.candidate.findMany({ where: { searchId: search.id }, select: { id: true, bestProbeFaceId: true } });
    for (const candidate of search.candidates) {
      const bestFaceId = stored.find((row) => row.id === candidate.id)!.bestProbeFaceId;
      expect(recorded.find((face) => face.probeFaceId === bestFaceId)!.position).toBe(candidate.bestProbeFacePosition);
    }

    const { GET } = await import('@/app/api/v1/searches/[id]/route');
    const again = await GET(new Request(`http://127.0.0.1/api/v1/searches/${search.id}`, { headers: { authorization: `Bearer ${token}` } }), { params: Promise.resolve({ id: search.id }) });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(body);
  });

  it('refuses the whole request when the second photo has no face, naming it, and records nothing', async (context) => {
    if (!database) return context.skip();
    const blank = new Blob([new Uint8Array(await sharp({ create: { width: 240, height: 240, channels: 3, background: { r: 128, g: 128, b: 128 } } }).png().toBuffer())], { type: 'image/png' });
    const { body } = await expectRefusedLeavingNothing([...fieldsFor(nextReference()), ['image', photo('Serena_Williams', 3)], ['image', blank], ['image', photo('Serena_Williams', 4)]], {
      status: 422,
      code: 'NO_FACE',
      errorKey: 'faces[1].image',
      auditAction: 'api.search.create',
    });
    expect(body.detail).toMatch(/^Face 2 of 3 \(faces\[1\]\): /);
  });

  it('refuses the whole request when the second face was embedded by another model, naming it, and records nothing', async (context) => {
    if (!database) return context.skip();
    const [first, second] = [await clientFace('Gerhard_Schroeder', 3), await clientFace('Gerhard_Schroeder', 4)];
    await expectRefusedLeavingNothing(
      [...fieldsFor(nextReference()), ['embedding', JSON.stringify(first.embedding)], ['modelId', first.modelId], ['crop', first.crop], ['embedding', JSON.stringify(second.embedding)], ['modelId', 'someone-elses-model@1'], ['crop', second.crop]],
      { status: 422, code: 'MODEL_MISMATCH', errorKey: 'faces[1].modelId', auditAction: 'api.search.create' },
    );
  });

  it('refuses the whole request when the second embedding is not its crop’s, found by re-embedding before anything is recorded', async (context) => {
    if (!database) return context.skip();
    const [first, second, other] = [await clientFace('Gerhard_Schroeder', 3), await clientFace('Gerhard_Schroeder', 4), await clientFace('Serena_Williams', 3)];
    const { body } = await expectRefusedLeavingNothing(
      // The second crop goes with someone else's embedding: only the server's re-embedding can tell.
      [...fieldsFor(nextReference()), ['modelId', first.modelId], ['embedding', JSON.stringify(first.embedding)], ['crop', first.crop], ['embedding', JSON.stringify(other.embedding)], ['crop', second.crop]],
      { status: 422, code: 'EMBEDDING_MISMATCH', errorKey: 'faces[1].embedding', auditAction: 'api.search.create' },
    );
    expect(body.detail).toMatch(/^Face 2 of 2 \(faces\[1\]\): The embedding does not match the face crop/);
  });

  it('judges several faces by the best: all below the policy is refused before any is recorded; one clear face carries the blurred one', async (context) => {
    if (!database) return context.skip();
    await expectRefusedLeavingNothing([...fieldsFor(nextReference()), ['image', await blurred('Colin_Powell', 3)], ['image', await blurred('Colin_Powell', 4)]], {
      status: 422,
      code: 'QUALITY_BELOW_POLICY',
      errorKey: 'qualityOverrideReason',
      auditAction: 'api.search.create',
    });
    const { response, body } = await post([...fieldsFor(nextReference()), ['image', await blurred('Colin_Powell', 3)], ['image', photo('Colin_Powell', 3)]]);
    expect(response.status, JSON.stringify(body)).toBe(201);
    const search = body as unknown as ApiSearch;
    expect(search.probeFaces[0]!.quality.verdict).toBe('poor');
    expect(search.probeFaces[1]!.quality.verdict).not.toBe('poor');
    // The top-level quality is still the first face's, as for one face.
    expect(body.quality).toEqual(search.probeFaces[0]!.quality);
  });

  it('refuses more than ten faces as VALIDATION before decoding any, recording nothing', async (context) => {
    if (!database) return context.skip();
    const eleven: Part[] = Array.from({ length: 11 }, (_, index) => ['image', photo('Colin_Powell', 3 + (index % 3))]);
    const { body } = await expectRefusedLeavingNothing([...fieldsFor(nextReference()), ...eleven], { status: 422, code: 'VALIDATION', errorKey: 'image', auditAction: 'api.search.create' });
    expect(body.detail).toContain('at most 10 faces');
  });

  it('replays a multi-face request under its Idempotency-Key, recording nothing again, and tells a changed third face apart', async (context) => {
    if (!database) return context.skip();
    const key = `multi-${engine.name.length}-${Date.now()}`;
    const reference = nextReference();
    const faces = (third: number): Part[] => [...fieldsFor(reference), ['image', photo('Serena_Williams', 3)], ['image', photo('Serena_Williams', 4)], ['image', photo('Serena_Williams', third)]];
    const joinsBefore = await countRows(database, 'search_probe_faces');
    const first = await post(faces(5), { 'idempotency-key': key });
    expect(first.response.status, JSON.stringify(first.body)).toBe(201);
    expect((first.body as unknown as ApiSearch).probeFaceCount).toBe(3);

    const before = await takeSnapshot(database, dataDir);
    const replay = await post(faces(5), { 'idempotency-key': key });
    expect(replay.response.status).toBe(201);
    expect(replay.response.headers.get('idempotency-replayed')).toBe('true');
    expect(replay.body).toEqual(first.body);
    expect((await changesSince(database, dataDir, before)).changes).toEqual([]);

    const changed = await post(faces(6), { 'idempotency-key': key });
    expect(changed.response.status).toBe(422);
    expect(changed.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await countRows(database, 'search_probe_faces')).toBe(joinsBefore + 3);
  });

  it('still searches one photo exactly as before: one face, every candidate scored by it', async (context) => {
    if (!database) return context.skip();
    const facesBefore = await countRows(database, 'probe_faces');
    const { response, body } = await post([...fieldsFor(nextReference()), ['image', photo('Gerhard_Schroeder', 3)]]);
    expect(response.status, JSON.stringify(body)).toBe(201);
    const search = body as unknown as ApiSearch;
    expect(search.candidates[0]!.subject.reference).toBe('Gerhard_Schroeder');
    expect(search.probeFaceCount).toBe(1);
    expect(search.probeFaces).toEqual([{ position: 0, quality: body.quality }]);
    expect(search.candidates.every((candidate) => candidate.bestProbeFacePosition === 0)).toBe(true);
    expect(await countRows(database, 'probe_faces')).toBe(facesBefore + 1);
  });

  it('still refuses one mismatched embedding in probe.record_face itself, with the field names it always had', async (context) => {
    if (!database) return context.skip();
    const [face, other] = [await clientFace('Gerhard_Schroeder', 4), await clientFace('Colin_Powell', 4)];
    const reference = nextReference();
    const { response, body } = await post([...fieldsFor(reference), ['embedding', JSON.stringify(other.embedding)], ['modelId', face.modelId], ['crop', face.crop]]);
    expect(response.status).toBe(422);
    expect(body.code).toBe('EMBEDDING_MISMATCH');
    expect(Object.keys(body.errors as Record<string, string[]>)).toEqual(['payload.face.embedding']);
    const refusal = await database.prisma.auditEvent.findFirst({ where: { action: 'probe.record_face', outcome: 'refused' }, orderBy: { sequence: 'desc' }, select: { payload: true } });
    expect((refusal?.payload as { request?: { apiClientId?: string } }).request?.apiClientId).toBe(clientId);
  });
});
