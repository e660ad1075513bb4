import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActionDefiner } from '@/lib/server/actions/create-action-definer';
import { commitReviewSpec, requestDisclosureSpec, takeSecondReviewSpec } from '@/lib/server/actions/specs/review';
import { runSearchSpec } from '@/lib/server/actions/specs/run-search';
import type { RequestContext } from '@/lib/server/audit/request-context';
import type { Actor } from '@/lib/server/auth/current-actor';
import type { Database } from '@/lib/server/db/database';
import { embeddingToBytes } from '@/lib/server/gallery/embedding-bytes';
import { closeVectorIndex, getVectorIndex } from '@/lib/server/vector/get-vector-index';
import { buildCaseworkFixture, type CaseworkFixture } from '../../support/casework-fixture';
import { openMemoryDatabase } from '../../support/test-database';

// Art. 12(3) of the Law Enforcement Directive: the logs of a search must show when it was used, against
// which reference database, with which input, what came out and who verified it. These are read here
// from the audit events alone, for a search run and reviewed through the real action specifications.
const dataDir = mkdtempSync(join(tmpdir(), 'rfr-search-trail-'));
process.env.DATA_DIR = dataDir;
const MODEL = 'faceplugin-fr-feature-512@0.0.1';

let database: Database;
let world: CaseworkFixture;
let actor: Actor | null = null;
const request: RequestContext = { ip: '198.51.100.4', userAgent: 'Workstation/1' };
const define = () => createActionDefiner({ getActor: async () => actor, getPrisma: async () => database.prisma, getRequestContext: async () => request, logError: () => {} });

function unit(seed: number): Float32Array {
  const vector = new Float32Array(512);
  for (let index = 0; index < vector.length; index += 1) vector[index] = Math.sin(seed * 31 + index * (seed + 1));
  const norm = Math.hypot(...vector);
  return vector.map((value) => value / norm);
}

function near(base: Float32Array, amount: number, seed: number): Float32Array {
  const noise = unit(seed);
  const mixed = base.map((value, index) => value + amount * noise[index]!);
  const norm = Math.hypot(...mixed);
  return mixed.map((value) => value / norm);
}

let probeFaceId: string;
let stillSha: string;
let cropSha: string;
let listA: string;
let listB: string;

beforeAll(async () => {
  database = await openMemoryDatabase();
  world = await buildCaseworkFixture(database, 'trail');
  const { prisma } = database;
  listA = world.watchlist.id;
  listB = (await prisma.watchlist.create({ data: { name: 'Trail list B', purpose: 'Testing', authority: 'Test', ownerId: world.actors.admin.id, retentionDays: 30, reviewDate: new Date('2030-01-01') } })).id;
  const kase = await prisma.case.create({ data: { reference: 'TRAIL/1', offence: 'Theft', purpose: 'Identify the person on the CCTV', legalBasis: 'Test basis', openedById: world.actors.opener.id, teamId: world.teamA.id } });
  stillSha = 'a1'.repeat(32);
  cropSha = 'c2'.repeat(32);
  const probe = await prisma.probe.create({ data: { caseId: kase.id, imageSha256: stillSha, source: 'CCTV', width: 640, height: 480, uploadedById: world.actors.opener.id } });
  const probeVector = unit(1);
  probeFaceId = (
    await prisma.probeFace.create({
      data: { probeId: probe.id, box: { x: 0, y: 0, width: 50, height: 50 }, landmarks: [], quality: {}, qualityVerdict: 'good', cropKey: 'probe/x.png', cropSha256: cropSha, modelId: MODEL, embedding: Buffer.from(embeddingToBytes(probeVector)) },
    })
  ).id;
  const index = getVectorIndex();
  await index.ensureCollection({ modelId: MODEL, dimension: 512 });
  const points = [];
  for (const [position, watchlistId] of [listA, listA, listA, listB].entries()) {
    const subject = await prisma.subject.create({ data: { watchlistId, reference: `T-${position}`, displayName: `Trail subject ${position}` } });
    const vector = near(probeVector, 0.3 + position * 0.4, 10 + position);
    const face = await prisma.enrolledFace.create({
      data: { subjectId: subject.id, watchlistId, imageSha256: `${position}`.repeat(64), cropKey: `enrolled/t${position}.png`, quality: {}, modelId: MODEL, embedding: Buffer.from(embeddingToBytes(vector)), vectorPointId: crypto.randomUUID(), expiresAt: new Date(Date.now() + 86_400_000), indexState: 'indexed' },
    });
    points.push({ id: face.vectorPointId, vector, payload: { watchlistId, subjectId: subject.id, enrolledFaceId: face.id, expiresAt: face.expiresAt.toISOString() } });
  }
  await index.upsert(MODEL, points);
}, 60_000);

afterAll(async () => {
  await closeVectorIndex();
  await database?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const eventsOf = (searchId: string) => database.prisma.auditEvent.findMany({ where: { OR: [{ targetId: searchId }, { payload: { path: ['searchId'], equals: searchId } }] }, orderBy: { sequence: 'asc' } });

describe('the audit trail of one search', () => {
  it('records a refused search with the face and every watch-list it would have searched', async () => {
    actor = world.actors.otherTeam;
    const refused = await define()(runSearchSpec)({ probeFaceId, watchlistIds: [listA, listB], mode: 'rank' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const event = await database.prisma.auditEvent.findFirstOrThrow({ orderBy: { sequence: 'desc' } });
    expect(event).toMatchObject({ action: 'search.run', outcome: 'refused', actorId: world.actors.otherTeam.id });
    expect(event.payload).toMatchObject({ code: 'NOT_FOUND', probeFaceId, watchlistIds: [listA, listB], request });
  });

  it('carries period of use, reference database, input, results shown and who verified them', async () => {
    actor = world.actors.opener;
    const searched = await define()(runSearchSpec)({ probeFaceId, watchlistIds: [listA, listB], mode: 'rank', listSize: 3 });
    if (!searched.ok) throw new Error(JSON.stringify(searched.error));
    const { searchId } = searched.data;
    expect(searched.data).not.toHaveProperty('watchlistSizes');
    const candidates = await database.prisma.candidate.findMany({ where: { searchId }, orderBy: { rank: 'asc' }, select: { id: true, rank: true, subjectId: true } });
    expect(candidates).toHaveLength(3);
    const ids = candidates.map((candidate) => candidate.id);

    const decide = (order: string[], call: (id: string) => 'possible_match' | 'no_match') =>
      order.map((candidateId) => ({ candidateId, decision: call(candidateId), rationale: call(candidateId) === 'no_match' ? '' : 'Same scar above the left eye.', checklist: {} }));
    expect(await define()(commitReviewSpec)({ searchId, decisions: decide(ids, (id) => (id === ids[0] ? 'possible_match' : 'no_match')) })).toMatchObject({ ok: true });
    actor = world.actors.teammate;
    const taken = await define()(takeSecondReviewSpec)({ searchId });
    expect(taken).toMatchObject({ ok: true });
    const order = (await database.prisma.review.findFirstOrThrow({ where: { searchId, stage: 'second' } })).candidateOrder;
    expect(await define()(commitReviewSpec)({ searchId, decisions: decide(order, (id) => (id === ids[0] ? 'possible_match' : 'no_match')) })).toMatchObject({ ok: true, data: { outcome: 'confirmed' } });
    expect(await define()(requestDisclosureSpec)({ candidateId: ids[0], statement: 'Both reviewers saw the same scar.' })).toMatchObject({ ok: true });

    const events = await eventsOf(searchId);
    expect(events.map((event) => `${event.action}:${event.outcome}`)).toEqual(['search.run:success', 'review.commit:success', 'review.take_second:success', 'review.commit:success', 'disclosure.request:success']);
    // The payload fields this test reads; each event carries more, checked with toMatchObject below.
    type TrailPayload = { period: { start: string; end: string }; candidates: { candidateId: string; rank: number }[]; candidateOrder: string[]; decisions: unknown[] };
    const [run, first, take, second, disclosure] = events.map((event) => event.payload as TrailPayload);
    const reviews = await database.prisma.review.findMany({ where: { searchId }, orderBy: { stage: 'asc' } });
    const search = await database.prisma.search.findUniqueOrThrow({ where: { id: searchId } });

    // Period of use: the search, and each review from start to commit.
    expect(run!.period).toEqual({ start: expect.any(String), end: search.completedAt!.toISOString() });
    expect(Date.parse(run!.period.start)).toBeLessThanOrEqual(Date.parse(run!.period.end));
    const [firstReview, secondReview] = [reviews.find((review) => review.stage === 'first')!, reviews.find((review) => review.stage === 'second')!];
    expect(first).toMatchObject({ stage: 'first', periodStart: firstReview.startedAt.toISOString(), periodEnd: firstReview.committedAt!.toISOString() });
    expect(take).toMatchObject({ stage: 'second', periodStart: secondReview.startedAt.toISOString() });
    expect(second).toMatchObject({ stage: 'second', periodStart: secondReview.startedAt.toISOString(), periodEnd: secondReview.committedAt!.toISOString() });
    // Reference database: each list, with how many faces were searched in it.
    expect(run).toMatchObject({ watchlistIds: [listA, listB], watchlists: [{ watchlistId: listA, faces: 3 }, { watchlistId: listB, faces: 1 }], gallerySize: 4, modelId: MODEL, indexEngine: 'embedded' });
    // Input data: the still and the crop by hash, the face by id.
    expect(run).toMatchObject({ probeFaceId, imageSha256: stillSha, cropSha256: cropSha });
    // Results shown: every candidate, with its rank, and the order each reviewer saw them in.
    expect(run!.candidates.map((candidate: { candidateId: string; rank: number }) => [candidate.candidateId, candidate.rank])).toEqual(candidates.map((candidate) => [candidate.id, candidate.rank]));
    expect(first!.candidateOrder).toEqual(ids);
    expect(take!.candidateOrder).toEqual(order);
    // Who verified: each review's event is the reviewer's, with every decision.
    expect([events[1]!.actorId, events[3]!.actorId]).toEqual([world.actors.opener.id, world.actors.teammate.id]);
    expect(second!.decisions).toHaveLength(3);
    expect(disclosure).toMatchObject({ caseId: search.caseId, candidateId: ids[0] });
    for (const payload of [run, first, take, second, disclosure]) expect(payload).toMatchObject({ caseId: search.caseId, request });
  });
});
