import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { expect } from 'vitest';
import { verifyAuditChain } from '@/lib/server/audit/verify-audit-chain';
import type { Actor } from '@/lib/server/auth/current-actor';
import { embeddingToBytes } from '@/lib/server/gallery/embedding-bytes';
import { markSubjectForErasure } from '@/lib/server/gallery/erase-faces';
import { syncVectorIndex } from '@/lib/server/gallery/sync-vector-index';
import type { PrismaClient } from '@/lib/server/generated/prisma/client';
import type { CropStore } from '@/lib/server/storage/crop-store';
import { pendingPack, type PackStore } from '@/lib/server/storage/pack-store';
import type { VectorIndex } from '@/lib/server/vector/vector-index';
import { seeded } from '../../support/seeded-random';

// A small world for the retention tests, written row by row (these tests are about what retention
// deletes, not how the rows came to be): one watch-list with live, expired and erased faces in the
// index and the crop store, and cases in every situation the policy distinguishes. The default policy
// applies: probes 31 days, no-lead searches 365 days, closed cases 6 years.

export const DIMENSION = 16;
const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY);

export type FaceRef = { id: string; subjectId: string; vectorPointId: string; cropKey: string; cropSha256: string; vector: Float32Array };
type Decision = 'possible_match' | 'no_match' | 'inconclusive';
type SearchSpec = {
  ranDaysAgo: number;
  reviewState: 'awaiting_first_review' | 'no_match_in_list' | 'no_possible_match' | 'awaiting_second_review' | 'confirmed' | 'disputed';
  candidates: { face: FaceRef; first?: Decision; second?: Decision; correctedTo?: Decision }[];
  disclosure?: { rank: number; status: 'pending' | 'approved' | 'refused' };
};
export type CaseRef = { caseId: string; probeId: string; probeFaceIds: string[]; probeCropKeys: string[]; searchIds: string[]; candidateIds: string[]; packKeys: string[] };

export type RetentionWorld = Awaited<ReturnType<typeof buildRetentionWorld>>;

export async function buildRetentionWorld(stores: { prisma: PrismaClient; crops: CropStore; index: VectorIndex; packs?: PackStore }, options: { bulk?: number } = {}) {
  const { prisma, crops, index } = stores;
  const bulk = options.bulk ?? 6;
  // One collection per world, so runs against a shared Qdrant never meet each other's points.
  const modelId = `retention-test-${randomUUID().slice(0, 8)}@1`;
  const random = seeded(20261202);
  const team = await prisma.team.create({ data: { name: `Retention ${randomUUID().slice(0, 6)}` } });
  const user = async (name: string, role: 'investigator' | 'supervisor' | 'admin', teamId: string | null): Promise<Actor> =>
    prisma.user.create({
      data: { email: `${name}.${randomUUID().slice(0, 6)}@test`, displayName: name, role, passwordHash: 'x', teamId },
      select: { id: true, email: true, displayName: true, role: true, teamId: true },
    });
  const admin = await user('Admin', 'admin', null);
  const investigator = await user('Investigator', 'investigator', team.id);
  const reviewer = await user('Reviewer', 'investigator', team.id);
  const supervisor = await user('Supervisor', 'supervisor', team.id);
  const watchlist = await prisma.watchlist.create({
    data: { name: `Retention list ${randomUUID().slice(0, 6)}`, purpose: 'Testing', authority: 'Test', ownerId: admin.id, retentionDays: 30, reviewDate: new Date('2030-01-01') },
  });

  const pixels = () => ({ width: 8, height: 8, channels: 3 as const, data: Uint8Array.from({ length: 8 * 8 * 3 }, () => Math.floor((random() + 0.5) * 256)) });
  const unitVector = () => {
    const vector = Float32Array.from({ length: DIMENSION }, () => random());
    const norm = Math.hypot(...vector);
    return vector.map((value) => value / norm);
  };

  let subjectNumber = 0;
  async function enrol(kind: 'live' | 'expired'): Promise<FaceRef> {
    subjectNumber += 1;
    const subject = await prisma.subject.create({ data: { watchlistId: watchlist.id, reference: `S${subjectNumber}`, displayName: `Subject ${subjectNumber}` } });
    const crop = await crops.savePixels('enrolled', pixels());
    const vector = unitVector();
    const face = await prisma.enrolledFace.create({
      data: {
        subjectId: subject.id,
        watchlistId: watchlist.id,
        imageSha256: createHash('sha256').update(`image ${subjectNumber}`).digest('hex'),
        cropKey: crop.key,
        quality: {},
        modelId,
        embedding: embeddingToBytes(vector),
        vectorPointId: randomUUID(),
        // Expired faces are indexed first, as they would have been while they were live.
        expiresAt: kind === 'live' ? new Date(Date.now() + 30 * DAY) : new Date(Date.now() + DAY),
      },
      select: { id: true, vectorPointId: true },
    });
    return { id: face.id, subjectId: subject.id, vectorPointId: face.vectorPointId, cropKey: crop.key, cropSha256: crop.sha256, vector };
  }

  const live = [];
  for (let n = 0; n < 6; n += 1) live.push(await enrol('live'));
  const expired = [];
  for (let n = 0; n < 6 + bulk; n += 1) expired.push(await enrol('expired'));
  const erased = await enrol('live');
  const erasedUnreferenced = await enrol('live');
  await syncVectorIndex(prisma, index);
  await prisma.enrolledFace.updateMany({ where: { id: { in: expired.map((face) => face.id) } }, data: { expiresAt: ago(1) } });

  async function makeCase(reference: string, spec: { closedDaysAgo?: number; heldReason?: string; uploadedDaysAgo: number; searches: SearchSpec[]; unsearchedFaces?: number }): Promise<CaseRef> {
    const kase = await prisma.case.create({
      data: {
        reference,
        teamId: team.id,
        offence: 'Theft',
        purpose: 'Identify the person in the still',
        legalBasis: 'Test basis',
        openedById: investigator.id,
        openedAt: ago(Math.max(spec.uploadedDaysAgo, spec.closedDaysAgo ?? 0) + 10),
        ...(spec.closedDaysAgo !== undefined ? { status: 'closed' as const, closedAt: ago(spec.closedDaysAgo) } : {}),
        ...(spec.heldReason ? { legalHoldReason: spec.heldReason, legalHoldAt: ago(1), legalHoldById: supervisor.id } : {}),
      },
    });
    const probe = await prisma.probe.create({
      data: { caseId: kase.id, imageSha256: createHash('sha256').update(reference).digest('hex'), source: 'CCTV', width: 640, height: 480, uploadedById: investigator.id, uploadedAt: ago(spec.uploadedDaysAgo) },
    });
    const ref: CaseRef = { caseId: kase.id, probeId: probe.id, probeFaceIds: [], probeCropKeys: [], searchIds: [], candidateIds: [], packKeys: [] };
    const addProbeFace = async () => {
      const crop = await crops.savePixels('probe', pixels());
      const face = await prisma.probeFace.create({
        data: {
          probeId: probe.id,
          box: { x: 0, y: 0, width: 8, height: 8 },
          landmarks: [],
          quality: {},
          qualityVerdict: 'good',
          cropKey: crop.key,
          cropSha256: crop.sha256,
          modelId,
          embedding: embeddingToBytes(unitVector()),
          createdAt: ago(spec.uploadedDaysAgo),
        },
      });
      ref.probeFaceIds.push(face.id);
      ref.probeCropKeys.push(crop.key);
      return face.id;
    };
    for (const search of spec.searches) {
      const probeFaceId = await addProbeFace();
      const created = await prisma.search.create({
        data: {
          caseId: kase.id,
          probeFaceId,
          actorId: investigator.id,
          watchlistIds: [watchlist.id],
          mode: 'rank',
          listSize: 20,
          modelId,
          indexEngine: index.engine,
          indexVersion: '1',
          gallerySize: 20,
          reviewState: search.reviewState,
          createdAt: ago(search.ranDaysAgo),
          completedAt: ago(search.ranDaysAgo),
          candidates: {
            createMany: {
              data: search.candidates.map((candidate, position) => ({
                rank: position + 1,
                enrolledFaceId: candidate.face.id,
                subjectId: candidate.face.subjectId,
                rawScore: 0.8 - position / 10,
                falseMatchRate: 1e-5,
                expectedFpir: 1e-3,
              })),
            },
          },
        },
        select: { id: true, candidates: { orderBy: { rank: 'asc' }, select: { id: true } } },
      });
      ref.searchIds.push(created.id);
      const candidateIds = created.candidates.map((candidate) => candidate.id);
      ref.candidateIds.push(...candidateIds);
      for (const stage of ['first', 'second'] as const) {
        const decided = search.candidates.map((candidate, position) => ({ decision: candidate[stage], candidateId: candidateIds[position]!, correctedTo: stage === 'first' ? candidate.correctedTo : undefined }));
        if (!decided.some((entry) => entry.decision)) continue;
        const review = await prisma.review.create({
          data: { searchId: created.id, stage, reviewerId: stage === 'first' ? investigator.id : reviewer.id, candidateOrder: candidateIds, committedAt: ago(search.ranDaysAgo) },
        });
        for (const entry of decided) {
          if (!entry.decision) continue;
          const record = await prisma.adjudication.create({
            data: { reviewId: review.id, candidateId: entry.candidateId, reviewerId: review.reviewerId, stage, decision: entry.decision, rationale: 'Test rationale' },
          });
          if (entry.correctedTo) {
            await prisma.adjudication.create({
              data: { reviewId: review.id, candidateId: entry.candidateId, reviewerId: review.reviewerId, stage, decision: entry.correctedTo, rationale: 'Looked again', supersedesId: record.id, correctionReason: 'Second look' },
            });
          }
        }
      }
      if (search.reviewState === 'disputed') await prisma.dispute.create({ data: { searchId: created.id } });
      if (search.disclosure) {
        // An approved disclosure has its pack on disk, as the supervisor's approval stores it.
        const pack = search.disclosure.status === 'approved' && stores.packs ? pendingPack(Buffer.from(`%PDF pack for ${reference}`)) : null;
        if (pack) await stores.packs!.write(pack);
        await prisma.disclosure.create({
          data: {
            candidateId: candidateIds[search.disclosure.rank - 1]!,
            requestedById: investigator.id,
            statement: 'Both reviewers agree.',
            status: search.disclosure.status,
            ...(search.disclosure.status !== 'pending' ? { decidedById: supervisor.id, decidedAt: ago(search.ranDaysAgo), decisionRationale: 'Test' } : {}),
            ...(pack ? { packKey: pack.key, packSha256: pack.sha256 } : {}),
          },
        });
        if (pack) ref.packKeys.push(pack.key);
      }
    }
    for (let n = 0; n < (spec.unsearchedFaces ?? 0); n += 1) await addProbeFace();
    return ref;
  }

  const [e0, e1, e2, e3, e4, e5] = expired as [FaceRef, FaceRef, FaceRef, FaceRef, FaceRef, FaceRef];
  const [l0, l1, l2, l3] = live as [FaceRef, FaceRef, FaceRef, FaceRef];
  const cases = {
    // Closed seven years ago: everything in it goes, disclosure and all.
    closedOld: await makeCase('RET/closed-old', {
      closedDaysAgo: 7 * 365,
      uploadedDaysAgo: 8 * 365,
      searches: [
        { ranDaysAgo: 8 * 365, reviewState: 'confirmed', candidates: [{ face: e0, first: 'possible_match', second: 'possible_match' }, { face: l0, first: 'no_match', correctedTo: 'inconclusive', second: 'no_match' }], disclosure: { rank: 1, status: 'approved' } },
        { ranDaysAgo: 8 * 365, reviewState: 'no_possible_match', candidates: [{ face: l1, first: 'no_match' }] },
      ],
      unsearchedFaces: 1,
    }),
    // The same, under legal hold: nothing of it goes, and its candidates' crops outlive the faces.
    closedHeld: await makeCase('RET/closed-held', {
      closedDaysAgo: 7 * 365,
      heldReason: 'Civil claim pending against the force',
      uploadedDaysAgo: 8 * 365,
      searches: [
        { ranDaysAgo: 8 * 365, reviewState: 'no_possible_match', candidates: [{ face: e1, first: 'no_match' }, { face: l1, first: 'no_match' }] },
        { ranDaysAgo: 8 * 365, reviewState: 'disputed', candidates: [{ face: e2, first: 'possible_match', second: 'no_match' }] },
      ],
      unsearchedFaces: 1,
    }),
    // Open, with old searches that found nothing: searches, probe faces and the probe go.
    openNoLead: await makeCase('RET/open-no-lead', {
      uploadedDaysAgo: 2 * 365,
      searches: [
        { ranDaysAgo: 2 * 365, reviewState: 'no_possible_match', candidates: [{ face: e3, first: 'no_match' }, { face: l2, first: 'no_match' }] },
        { ranDaysAgo: 2 * 365, reviewState: 'no_match_in_list', candidates: [] },
        ...expired.slice(6).map((face) => ({ ranDaysAgo: 2 * 365, reviewState: 'no_possible_match' as const, candidates: [{ face, first: 'no_match' as const }] })),
      ],
      unsearchedFaces: 2,
    }),
    // Open, an old search still waiting for its second review: a lead, kept whole; the expired face
    // the first reviewer called a possible match keeps its crop as evidence.
    openLead: await makeCase('RET/open-lead', {
      uploadedDaysAgo: 2 * 365,
      searches: [{ ranDaysAgo: 2 * 365, reviewState: 'awaiting_second_review', candidates: [{ face: e4, first: 'possible_match' }, { face: l3, first: 'no_match' }] }],
    }),
    // Open, a confirmed match put forward for disclosure; its subject is then erased from the list.
    openDisclosed: await makeCase('RET/open-disclosed', {
      uploadedDaysAgo: 10,
      searches: [{ ranDaysAgo: 10, reviewState: 'confirmed', candidates: [{ face: erased, first: 'possible_match', second: 'possible_match' }, { face: e5, first: 'no_match', second: 'no_match' }], disclosure: { rank: 1, status: 'pending' } }],
    }),
    // Open: an old probe face whose only search (no lead) is recent: the face loses its crop and
    // embedding now, its row stays with the search.
    openRecentNoLead: await makeCase('RET/open-recent-no-lead', {
      uploadedDaysAgo: 2 * 365,
      searches: [{ ranDaysAgo: 100, reviewState: 'no_match_in_list', candidates: [] }],
    }),
    // Everything recent: nothing goes.
    openFresh: await makeCase('RET/open-fresh', {
      uploadedDaysAgo: 5,
      searches: [{ ranDaysAgo: 5, reviewState: 'awaiting_first_review', candidates: [{ face: l0 }, { face: l1 }] }],
      unsearchedFaces: 1,
    }),
  };

  // Erasure as the admin action does it: the subject and its faces are marked in one transaction.
  await prisma.$transaction((tx) => markSubjectForErasure(tx, erased.subjectId));
  await prisma.$transaction((tx) => markSubjectForErasure(tx, erasedUnreferenced.subjectId));

  return { modelId, team, admin, investigator, reviewer, supervisor, watchlistId: watchlist.id, faces: { live, expired, erased, erasedUnreferenced }, cases };
}

/** Ids of every row in the casework and gallery tables, for a before/after comparison. */
export async function snapshotRows(prisma: PrismaClient) {
  const ids = async (rows: Promise<{ id: string }[]>) => (await rows).map((row) => row.id).sort();
  return {
    cases: await ids(prisma.case.findMany({ select: { id: true } })),
    probes: await ids(prisma.probe.findMany({ select: { id: true } })),
    probeFaces: await ids(prisma.probeFace.findMany({ select: { id: true } })),
    purgedProbeFaces: await ids(prisma.probeFace.findMany({ where: { purgedAt: { not: null } }, select: { id: true } })),
    searches: await ids(prisma.search.findMany({ select: { id: true } })),
    candidates: await ids(prisma.candidate.findMany({ select: { id: true } })),
    evidenceCandidates: await ids(prisma.candidate.findMany({ where: { evidenceCropKey: { not: null } }, select: { id: true } })),
    reviews: await ids(prisma.review.findMany({ select: { id: true } })),
    adjudications: await ids(prisma.adjudication.findMany({ select: { id: true } })),
    disputes: await ids(prisma.dispute.findMany({ select: { id: true } })),
    disclosures: await ids(prisma.disclosure.findMany({ select: { id: true } })),
    subjects: await ids(prisma.subject.findMany({ select: { id: true } })),
    enrolledFaces: await ids(prisma.enrolledFace.findMany({ select: { id: true } })),
    purgedEnrolledFaces: await ids(prisma.enrolledFace.findMany({ where: { purgedAt: { not: null } }, select: { id: true } })),
    indexedEnrolledFaces: await ids(prisma.enrolledFace.findMany({ where: { indexState: 'indexed' }, select: { id: true } })),
  };
}

/** Row counts of the cases retention must not touch, per table: taken before a run, compared after. */
export async function countKeptRecords(prisma: PrismaClient, world: RetentionWorld) {
  const { closedHeld, openLead, openDisclosed, openFresh } = world.cases;
  const counts: Record<string, Record<string, number>> = {};
  for (const [name, kase] of Object.entries({ closedHeld, openLead, openDisclosed, openFresh })) {
    const search = { caseId: kase.caseId };
    counts[name] = {
      probes: await prisma.probe.count({ where: search }),
      probeFaces: await prisma.probeFace.count({ where: { probe: search } }),
      searches: await prisma.search.count({ where: search }),
      candidates: await prisma.candidate.count({ where: { search } }),
      reviews: await prisma.review.count({ where: { search } }),
      adjudications: await prisma.adjudication.count({ where: { review: { search } } }),
      disputes: await prisma.dispute.count({ where: { search } }),
      disclosures: await prisma.disclosure.count({ where: { candidate: { search } } }),
    };
  }
  return counts;
}

/** Every file under the crop store, as store keys (`probe/<sha>.png`), and any half-written leftovers. */
export async function listCropFiles(cropsRoot: string): Promise<{ keys: string[]; temporaries: string[] }> {
  const keys: string[] = [];
  const temporaries: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true }).catch(() => [])) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.name.endsWith('.tmp')) temporaries.push(relative(cropsRoot, path));
      else {
        const [kind, , file] = relative(cropsRoot, path).split('/');
        keys.push(`${kind}/${file}`);
      }
    }
  };
  await walk(cropsRoot);
  return { keys: keys.sort(), temporaries };
}

/** The files the database still refers to: exactly these, and no others, should be on disk. */
export async function referencedCropKeys(prisma: PrismaClient): Promise<string[]> {
  const probe = await prisma.probeFace.findMany({ where: { cropKey: { not: '' } }, select: { cropKey: true } });
  const enrolled = await prisma.enrolledFace.findMany({ where: { purgedAt: null }, select: { cropKey: true } });
  const evidence = await prisma.candidate.findMany({ where: { evidenceCropKey: { not: null } }, select: { evidenceCropKey: true } });
  return [...new Set([...probe.map((row) => row.cropKey), ...enrolled.map((row) => row.cropKey), ...evidence.map((row) => row.evidenceCropKey!)])].sort();
}

/**
 * What the default policy must leave after a complete run: the expired and the unheld closed case
 * gone from the database, the disk and the index; the held case, the lead and everything recent
 * untouched; evidence copies where a candidate's face went.
 */
export async function expectRetentionOutcome(
  stores: { prisma: PrismaClient; index: VectorIndex; cropsRoot: string; dataDir?: string },
  world: RetentionWorld,
  before: Awaited<ReturnType<typeof countKeptRecords>>,
) {
  const { prisma, index } = stores;
  const after = await snapshotRows(prisma);
  const { cases, faces } = world;
  const gone = (ids: string[], present: string[]) => expect(ids.filter((id) => present.includes(id))).toEqual([]);
  const kept = (ids: string[], present: string[]) => expect(ids.filter((id) => !present.includes(id))).toEqual([]);

  // The closed case, whole.
  gone([cases.closedOld.caseId], after.cases);
  gone(cases.closedOld.searchIds, after.searches);
  gone(cases.closedOld.candidateIds, after.candidates);
  gone(cases.closedOld.probeFaceIds, after.probeFaces);
  gone([cases.closedOld.probeId], after.probes);
  // The old no-lead searches, their probe faces and the probe.
  gone(cases.openNoLead.searchIds, after.searches);
  gone(cases.openNoLead.probeFaceIds, after.probeFaces);
  gone([cases.openNoLead.probeId], after.probes);
  kept([cases.openNoLead.caseId], after.cases);

  // Held, lead, disclosed, fresh: every row kept.
  for (const kase of [cases.closedHeld, cases.openLead, cases.openDisclosed, cases.openFresh]) {
    kept([kase.caseId], after.cases);
    kept([kase.probeId], after.probes);
    kept(kase.probeFaceIds, after.probeFaces);
    kept(kase.searchIds, after.searches);
    kept(kase.candidateIds, after.candidates);
  }
  const heldOrLead = [cases.closedHeld, cases.openLead, cases.openDisclosed, cases.openFresh];
  expect(await countKeptRecords(prisma, world)).toEqual(before);
  // Their probe faces keep crop and embedding.
  const keptProbeFaces = await prisma.probeFace.findMany({ where: { id: { in: heldOrLead.flatMap((kase) => kase.probeFaceIds) } }, select: { purgedAt: true, cropKey: true, embedding: true } });
  expect(keptProbeFaces.every((face) => face.purgedAt === null && face.cropKey !== '' && face.embedding.byteLength === DIMENSION * 4)).toBe(true);

  // A probe face past its period whose search is kept longer: crop and embedding gone, row kept.
  const recent = await prisma.probeFace.findUniqueOrThrow({ where: { id: cases.openRecentNoLead.probeFaceIds[0]! }, select: { purgedAt: true, cropKey: true, embedding: true } });
  expect(recent).toMatchObject({ cropKey: '' });
  expect(recent.purgedAt).not.toBeNull();
  expect(recent.embedding.byteLength).toBe(0);
  kept(cases.openRecentNoLead.searchIds, after.searches);

  // Gallery: expired and erased faces out of the index, their embeddings gone; rows only where a
  // candidate still names them.
  const goneFaces = [...faces.expired, faces.erased, faces.erasedUnreferenced];
  const liveIds = (await prisma.enrolledFace.findMany({ where: { indexState: 'indexed' }, select: { vectorPointId: true } })).map((row) => row.vectorPointId).sort();
  expect(liveIds).toEqual(faces.live.map((face) => face.vectorPointId).sort());
  expect((await index.listIds(world.modelId)).sort()).toEqual(liveIds);
  for (const face of goneFaces.slice(0, 3)) {
    const hits = await index.search(world.modelId, { vector: face.vector, limit: 50, watchlistIds: [world.watchlistId] });
    expect(hits.map((hit) => hit.payload.enrolledFaceId)).not.toContain(face.id);
  }
  const remaining = await prisma.enrolledFace.findMany({ where: { id: { in: goneFaces.map((face) => face.id) } }, select: { id: true, purgedAt: true, embedding: true, _count: { select: { candidates: true } } } });
  expect(remaining.every((face) => face.purgedAt !== null && face.embedding.byteLength === 0 && face._count.candidates > 0)).toBe(true);
  // e1 and e2 are candidates of the held case, e4 of the lead, e5 and the erased face of the disclosed case.
  const [, e1, e2, , e4, e5] = faces.expired as FaceRef[];
  expect(remaining.map((face) => face.id).sort()).toEqual([e1!.id, e2!.id, e4!.id, e5!.id, faces.erased.id].sort());
  gone([faces.erasedUnreferenced.subjectId, faces.expired[0]!.subjectId, faces.expired[3]!.subjectId], after.subjects);

  // Evidence: the held case's candidates, the possible match under review and the disclosed one keep a
  // copy of the crop their face had, byte for byte; the candidate nobody chose in an open case does not.
  const evidence = await prisma.candidate.findMany({ where: { evidenceCropKey: { not: null } }, select: { enrolledFaceId: true, evidenceCropKey: true } });
  expect(evidence.map((row) => row.enrolledFaceId).sort()).toEqual([e1!.id, e2!.id, e4!.id, faces.erased.id].sort());
  for (const row of evidence) {
    const face = [...faces.expired, faces.erased].find((entry) => entry.id === row.enrolledFaceId)!;
    const bytes = await readFile(join(stores.cropsRoot, 'evidence', face.cropSha256.slice(0, 2), `${face.cropSha256}.png`));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(face.cropSha256);
    expect(row.evidenceCropKey).toBe(`evidence/${face.cropSha256}.png`);
  }

  // Nothing left behind on disk: exactly the files the database refers to, no notes, no temporaries.
  const files = await listCropFiles(stores.cropsRoot);
  expect(files.keys).toEqual(await referencedCropKeys(prisma));
  expect(files.temporaries).toEqual([]);
  expect(await prisma.storedFileDeletion.count()).toBe(0);
  for (const key of [...cases.closedOld.probeCropKeys, ...cases.openNoLead.probeCropKeys, ...cases.openRecentNoLead.probeCropKeys]) expect(files.keys).not.toContain(key);
  for (const face of goneFaces) expect(files.keys).not.toContain(face.cropKey);
  // The deleted case's disclosure pack went with it.
  if (stores.dataDir) {
    expect(world.cases.closedOld.packKeys).toHaveLength(1);
    for (const key of world.cases.closedOld.packKeys) expect(await stat(join(stores.dataDir, key)).catch(() => null)).toBeNull();
  }

  // And every deletion is in an intact audit chain.
  expect(await verifyAuditChain(prisma)).toMatchObject({ ok: true });
  return after;
}
