import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActionDefiner } from '@/lib/server/actions/create-action-definer';
import { runSearchSpec } from '@/lib/server/actions/specs/run-search';
import type { Actor } from '@/lib/server/auth/current-actor';
import type { Database } from '@/lib/server/db/database';
import { embeddingToBytes } from '@/lib/server/gallery/embedding-bytes';
import { findSearchReviewForActor } from '@/lib/server/dal/search-review';
import { loadWholeStory } from '@/lib/server/dal/whole-story';
import { closeVectorIndex, getVectorIndex } from '@/lib/server/vector/get-vector-index';
import { calibrationTableFor, expectedFalsePositiveRate } from '@/lib/shared/calibration/false-match-rate';
import { adaptProbeVector, loadProbeAdapter } from '@/lib/server/search/probe-adapter';
import { fuseScores } from '@/lib/vision/fuse-probe-faces';
import { buildCaseworkFixture, type CaseworkFixture } from '../../support/casework-fixture';
import { bothDatabaseEngines, countRows } from '../../support/test-database';

// Several faces of one person searched as one probe (issue 11 §3), through the real action
// specification, the embedded vector index and the model's real calibration table, on PGlite and on
// the machine's PostgreSQL. The faces are built so that each gallery person is scored best by a
// different probe face: max fusion, the face that gave each score, and the k × N comparisons behind
// each expected FPIR can all be read off exactly.
const dataDir = mkdtempSync(join(tmpdir(), 'rfr-multi-face-'));
process.env.DATA_DIR = dataDir;
const MODEL = 'faceplugin-fr-feature-512@0.0.1';
const OTHER_MODEL = 'other-model@1';

/** A unit vector with the given weights on the first axes and the rest of its length on `spare`. */
function vectorOf(weights: Record<number, number>, spare: number): Float32Array {
  const vector = new Float32Array(512);
  for (const [axis, weight] of Object.entries(weights)) vector[Number(axis)] = weight;
  const used = Object.values(weights).reduce((sum, weight) => sum + weight * weight, 0);
  vector[spare] = Math.sqrt(1 - used);
  return vector;
}

const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, value, index) => sum + value * b[index]!, 0);
// The search looks with each probe vector through the probe adapter the model's table names
// (lib/server/search/probe-adapter.ts), so the expected scores are worked out the same way.
const adapter = loadProbeAdapter(calibrationTableFor(MODEL)!.probeAdapterId!);
const searchedWith = (face: Float32Array) => adaptProbeVector(adapter, face);

// Gallery person i is the axis e_i; probe face j scores person i with weight [j][i].
const GALLERY = [0, 1, 2, 3].map((axis) => vectorOf({ [axis]: 1 }, 511));
const PROBE_FACES = [
  vectorOf({ 0: 0.9, 1: 0.1, 2: 0.1 }, 100),
  vectorOf({ 0: 0.3, 1: 0.8, 2: 0.2, 3: 0.1 }, 101),
  vectorOf({ 0: 0.2, 1: 0.3, 2: 0.7, 3: 0.4 }, 102),
];

const engines = bothDatabaseEngines();

afterAll(async () => {
  await closeVectorIndex();
  rmSync(dataDir, { recursive: true, force: true });
});

describe.each(engines)('a search of several faces of one person ($name)', (engine) => {
  let database: Database | null = null;
  let world: CaseworkFixture;
  let actor: Actor | null = null;
  let caseId: string;
  let faceIds: string[];
  let subjectIds: string[];
  let fusedSearchId = '';
  const refusedFaces: Record<'otherTeam' | 'otherCase' | 'purged' | 'otherModel', string> = { otherTeam: '', otherCase: '', purged: '', otherModel: '' };
  const define = () => createActionDefiner({ getActor: async () => actor, getPrisma: async () => database!.prisma, getRequestContext: async () => ({ ip: '198.51.100.9', userAgent: 'Test' }), logError: () => {} });

  beforeAll(async () => {
    database = await engine.open();
    if (!database) return;
    world = await buildCaseworkFixture(database, 'multi');
    const { prisma } = database;
    const probeFaceIn = async (kaseId: string, vector: Float32Array, verdict: 'good' | 'usable' | 'poor', extra: { modelId?: string; purgedAt?: Date } = {}) => {
      const probe = await prisma.probe.create({ data: { caseId: kaseId, imageSha256: crypto.randomUUID().replaceAll('-', '').padEnd(64, '0'), source: 'CCTV', width: 640, height: 480, uploadedById: world.actors.opener.id } });
      const face = await prisma.probeFace.create({
        data: { probeId: probe.id, box: { x: 0, y: 0, width: 50, height: 50 }, landmarks: [], quality: {}, qualityVerdict: verdict, cropKey: `probe/${probe.id}.png`, cropSha256: 'c'.repeat(64), modelId: extra.modelId ?? MODEL, embedding: Buffer.from(embeddingToBytes(vector)), purgedAt: extra.purgedAt ?? null },
      });
      return face.id;
    };
    const newCase = async (reference: string, teamId: string) =>
      (await prisma.case.create({ data: { reference, offence: 'Theft', purpose: 'Identify the person on the CCTV', legalBasis: 'Test basis', openedById: world.actors.opener.id, teamId } })).id;
    caseId = await newCase('MULTI/1', world.teamA.id);
    // Three stills of the one person, the first (the primary face) the poorest: the set is judged by its best.
    faceIds = [await probeFaceIn(caseId, PROBE_FACES[0]!, 'poor'), await probeFaceIn(caseId, PROBE_FACES[1]!, 'good'), await probeFaceIn(caseId, PROBE_FACES[2]!, 'usable')];
    refusedFaces.otherTeam = await probeFaceIn(await newCase('MULTI/B', world.teamB.id), PROBE_FACES[1]!, 'good');
    refusedFaces.otherCase = await probeFaceIn(await newCase('MULTI/2', world.teamA.id), PROBE_FACES[1]!, 'good');
    refusedFaces.purged = await probeFaceIn(caseId, new Float32Array(0), 'good', { purgedAt: new Date() });
    refusedFaces.otherModel = await probeFaceIn(caseId, PROBE_FACES[1]!, 'good', { modelId: OTHER_MODEL });

    const index = getVectorIndex();
    await index.ensureCollection({ modelId: MODEL, dimension: 512 });
    subjectIds = [];
    const points = [];
    for (const [position, vector] of GALLERY.entries()) {
      const subject = await prisma.subject.create({ data: { watchlistId: world.watchlist.id, reference: `M-${position}`, displayName: `Multi subject ${position}` } });
      subjectIds.push(subject.id);
      const face = await prisma.enrolledFace.create({
        data: { subjectId: subject.id, watchlistId: world.watchlist.id, imageSha256: `${position}`.repeat(64), cropKey: `enrolled/m${position}.png`, quality: {}, modelId: MODEL, embedding: Buffer.from(embeddingToBytes(vector)), vectorPointId: crypto.randomUUID(), expiresAt: new Date(Date.now() + 86_400_000), indexState: 'indexed' },
      });
      points.push({ id: face.vectorPointId, vector, payload: { watchlistId: world.watchlist.id, subjectId: subject.id, enrolledFaceId: face.id, expiresAt: face.expiresAt.toISOString() } });
    }
    await index.upsert(MODEL, points);
  }, 180_000);

  afterAll(async () => {
    await database?.close();
    await engine.cleanup();
  });

  const search = (input: Record<string, unknown>) => define()(runSearchSpec)({ watchlistIds: [world.watchlist.id], mode: 'rank', ...input } as never);
  const writtenRows = async () => ({
    searches: await countRows(database!, 'searches'),
    candidates: await countRows(database!, 'candidates'),
    joins: await countRows(database!, 'search_probe_faces'),
  });

  it('fuses three faces by max, one candidate per person, and records the faces and the best face of each', async (context) => {
    if (!database) return context.skip();
    actor = world.actors.opener;
    const searched = await search({ probeFaceId: faceIds[0], extraProbeFaceIds: faceIds.slice(1), listSize: 10 });
    if (!searched.ok) throw new Error(JSON.stringify(searched.error));
    const { searchId } = searched.data as { searchId: string };
    fusedSearchId = searchId;

    // What max fusion of the three faces' lists must give, worked out here from the vectors.
    const lists = PROBE_FACES.map((face) => new Map(GALLERY.map((person, i) => [subjectIds[i]!, dot(searchedWith(face), person)])));
    const fused = fuseScores(lists, 'max');
    const bestFaceOf = (subjectId: string) => faceIds[lists.findIndex((list) => list.get(subjectId) === fused.get(subjectId))]!;
    const expected = [...fused.entries()].sort((a, b) => b[1] - a[1]);

    const candidates = await database.prisma.candidate.findMany({ where: { searchId }, orderBy: { rank: 'asc' } });
    expect(candidates.map((candidate) => candidate.subjectId)).toEqual(expected.map(([subjectId]) => subjectId));
    expect(new Set(candidates.map((candidate) => candidate.subjectId)).size).toBe(candidates.length);
    for (const [position, candidate] of candidates.entries()) {
      expect(candidate.rawScore).toBeCloseTo(expected[position]![1], 5);
      expect(candidate.bestProbeFaceId).toBe(bestFaceOf(candidate.subjectId));
    }
    // Each person is scored best by a different face: the fusion really used all three.
    expect(new Set(candidates.map((candidate) => candidate.bestProbeFaceId))).toEqual(new Set(faceIds));

    const recorded = await database.prisma.search.findUniqueOrThrow({ where: { id: searchId }, include: { probeFaces: { orderBy: { position: 'asc' } } } });
    expect(recorded.probeFaceId).toBe(faceIds[0]);
    expect(recorded.probeFaces.map((row) => [row.position, row.probeFaceId])).toEqual(faceIds.map((id, position) => [position, id]));
    expect(recorded.gallerySize).toBe(GALLERY.length);

    // Honest chances: each impostor had three tries, so the expected FPIR is for 3 × N comparisons.
    for (const candidate of candidates) {
      expect(candidate.falseMatchRate).toBeGreaterThan(0);
      expect(candidate.expectedFpir).toBeCloseTo(expectedFalsePositiveRate(candidate.falseMatchRate, 3 * GALLERY.length), 12);
      expect(candidate.expectedFpir).toBeGreaterThan(expectedFalsePositiveRate(candidate.falseMatchRate, GALLERY.length));
      expect(candidate.expectedFpir).toBeLessThanOrEqual(Math.min(1, 3 * GALLERY.length * candidate.falseMatchRate) + 1e-12);
    }

    const event = await database.prisma.auditEvent.findFirstOrThrow({ where: { action: 'search.run', targetId: searchId } });
    expect(event.payload).toMatchObject({
      probeFaceId: faceIds[0],
      probeFaceIds: faceIds,
      // The set is judged by its best face; each face's own verdict is recorded.
      qualityVerdict: 'good',
      isQualityOverride: false,
      probeFaces: faceIds.map((probeFaceId, position) => ({ probeFaceId, position, qualityVerdict: ['poor', 'good', 'usable'][position] })),
      candidates: candidates.map((candidate) => ({ candidateId: candidate.id, bestProbeFaceId: candidate.bestProbeFaceId })),
    });
  });

  it('shows every probe face on the bench and in the whole story, each candidate beside its best face', async (context) => {
    if (!database) return context.skip();
    const page = await findSearchReviewForActor(world.actors.opener, fusedSearchId, {}, database.prisma);
    if (page?.kind !== 'bench') throw new Error(`expected the bench, got ${page?.kind}`);
    expect(page.facts.probeFaces).toEqual(faceIds.map((id, position) => ({ id, position, qualityVerdict: ['poor', 'good', 'usable'][position], clipFrame: null })));
    expect(page.facts.probeSetVerdict).toBe('good');
    expect(page.view.probeFaces.map((face) => [face.id, face.label, face.cropUrl])).toEqual(faceIds.map((id, position) => [id, `Probe face ${position + 1}`, `/api/crops/probe/${id}`]));
    const candidates = await database.prisma.candidate.findMany({ where: { searchId: fusedSearchId }, select: { id: true, bestProbeFaceId: true } });
    const best = new Map(candidates.map((candidate) => [candidate.id, candidate.bestProbeFaceId]));
    // The first review is blind by default: which face scored best is a hint from the scores, so it is withheld
    // until the names are revealed (the stored value is what the search recorded).
    for (const candidate of page.view.candidates) expect(candidate.bestProbeFaceId).toBe(candidate.revealed === null ? null : best.get(candidate.id));
    expect(page.view.candidates.some((candidate) => candidate.revealed === null)).toBe(true);
    expect(new Set(best.values())).toEqual(new Set(faceIds));
    // The view is audited with every face shown.
    const viewed = await database.prisma.auditEvent.findFirstOrThrow({ where: { action: 'search.view' }, orderBy: { sequence: 'desc' } });
    expect(viewed.targetId).toBe(fusedSearchId);
    expect(viewed.payload).toMatchObject({ probeFaceId: faceIds[0], probeFaceIds: faceIds });

    const story = await loadWholeStory(world.actors.opener, { searchId: fusedSearchId }, database.prisma);
    expect(story?.probeFaces.map((face) => [face.position, face.id, face.qualityVerdict])).toEqual(faceIds.map((id, position) => [position, id, ['poor', 'good', 'usable'][position]]));
    // Another team sees none of it.
    expect(await findSearchReviewForActor(world.actors.otherTeam, fusedSearchId, {}, database.prisma)).toBeNull();
  });

  it('searches one face exactly as before, with its one join row', async (context) => {
    if (!database) return context.skip();
    actor = world.actors.opener;
    const searched = await search({ probeFaceId: faceIds[1], listSize: 10 });
    if (!searched.ok) throw new Error(JSON.stringify(searched.error));
    const { searchId } = searched.data as { searchId: string };
    const candidates = await database.prisma.candidate.findMany({ where: { searchId }, orderBy: { rank: 'asc' } });
    expect(candidates[0]!.subjectId).toBe(subjectIds[1]);
    expect(candidates[0]!.rawScore).toBeCloseTo(dot(searchedWith(PROBE_FACES[1]!), GALLERY[1]!), 5);
    for (const candidate of candidates) {
      expect(candidate.bestProbeFaceId).toBe(faceIds[1]);
      expect(candidate.expectedFpir).toBeCloseTo(expectedFalsePositiveRate(candidate.falseMatchRate, GALLERY.length), 12);
    }
    const joins = await database.prisma.searchProbeFace.findMany({ where: { searchId } });
    expect(joins).toEqual([{ searchId, probeFaceId: faceIds[1], position: 0 }]);
  });

  it.for([
    ['a face of another team’s case', 'otherTeam'],
    ['a face of another case', 'otherCase'],
    ['a purged face', 'purged'],
    ['a face embedded by another model', 'otherModel'],
  ] as const)('refuses %s as not found, writing nothing but the audit event', async ([, which], context) => {
    if (!database) return context.skip();
    actor = world.actors.opener;
    const before = await writtenRows();
    const refused = await search({ probeFaceId: faceIds[1], extraProbeFaceIds: [faceIds[2], refusedFaces[which]] });
    expect(refused).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: 'No such face, or it is not in one of your cases.' } });
    expect(await writtenRows()).toEqual(before);
    const event = await database.prisma.auditEvent.findFirstOrThrow({ orderBy: { sequence: 'desc' } });
    expect(event).toMatchObject({ action: 'search.run', outcome: 'refused', actorId: world.actors.opener.id });
    expect(event.payload).toMatchObject({ code: 'NOT_FOUND', probeFaceId: faceIds[1], extraProbeFaceIds: [faceIds[2], refusedFaces[which]] });
  });

  it('refuses a face twice in the probe, and more than ten faces, by validation', async (context) => {
    if (!database) return context.skip();
    actor = world.actors.opener;
    const before = await writtenRows();
    for (const extraProbeFaceIds of [[faceIds[1], faceIds[1]], [faceIds[0]], Array.from({ length: 10 }, () => crypto.randomUUID())]) {
      const refused = await search({ probeFaceId: faceIds[0], extraProbeFaceIds });
      expect(refused).toMatchObject({ ok: false, error: { code: 'VALIDATION', fieldErrors: { extraProbeFaceIds: [expect.any(String)] } } });
    }
    expect(await writtenRows()).toEqual(before);
  });

  it('asks for a reason when even the best face of the set is below the policy', async (context) => {
    if (!database) return context.skip();
    actor = world.actors.opener;
    await database.prisma.probeFace.update({ where: { id: faceIds[2]! }, data: { qualityVerdict: 'poor' } });
    const before = await writtenRows();
    const refused = await search({ probeFaceId: faceIds[0], extraProbeFaceIds: [faceIds[2]] });
    expect(refused).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: expect.stringMatching(/best of these 2 faces is of quality "poor"/), fieldErrors: { qualityOverrideReason: [expect.any(String)] } } });
    expect(await writtenRows()).toEqual(before);
    const searched = await search({ probeFaceId: faceIds[0], extraProbeFaceIds: [faceIds[2]], qualityOverrideReason: 'The only footage of the robbery.' });
    expect(searched).toMatchObject({ ok: true });
    await database.prisma.probeFace.update({ where: { id: faceIds[2]! }, data: { qualityVerdict: 'usable' } });
  });
});
