import type { Actor } from '@/lib/server/auth/current-actor';
import type { Database } from '@/lib/server/db/database';
import type { Role } from '@/lib/shared/roles';

// A small world of casework for tests of who may see and do what: two teams, each role, a case with
// a probe, a search and candidates. Rows are written directly: these tests are about the rules that
// read them, not about how they were created.

export type CaseworkFixture = Awaited<ReturnType<typeof buildCaseworkFixture>>;

export async function buildCaseworkFixture(database: Database, tag = 'x') {
  const { prisma } = database;
  const teamA = await prisma.team.create({ data: { name: `Team A ${tag}` } });
  const teamB = await prisma.team.create({ data: { name: `Team B ${tag}` } });
  const user = async (name: string, role: Role, teamId: string | null): Promise<Actor> =>
    prisma.user.create({
      data: { email: `${name}.${tag}@test`, displayName: name, role, passwordHash: 'x', teamId },
      select: { id: true, email: true, displayName: true, role: true, teamId: true },
    });
  const actors = {
    opener: await user('Opener', 'investigator', teamA.id),
    teammate: await user('Teammate', 'investigator', teamA.id),
    thirdTeammate: await user('Third', 'investigator', teamA.id),
    otherTeam: await user('Other team', 'investigator', teamB.id),
    noTeam: await user('No team', 'investigator', null),
    supervisor: await user('Supervisor A', 'supervisor', teamA.id),
    otherSupervisor: await user('Supervisor B', 'supervisor', teamB.id),
    admin: await user('Admin', 'admin', null),
  };
  const watchlist = await prisma.watchlist.create({
    data: { name: `List ${tag}`, purpose: 'Testing', authority: 'Test', ownerId: actors.admin.id, retentionDays: 30, reviewDate: new Date('2030-01-01') },
  });

  async function makeSearch(reference: string, openerId: string, teamId: string, candidateCount = 3) {
    const kase = await prisma.case.create({
      data: { reference, offence: 'Theft', purpose: 'Identify the person on the CCTV', legalBasis: 'Test basis', openedById: openerId, teamId },
    });
    const probe = await prisma.probe.create({ data: { caseId: kase.id, imageSha256: 'b'.repeat(64), source: 'CCTV', width: 100, height: 100, uploadedById: openerId } });
    const probeFace = await prisma.probeFace.create({
      data: {
        probeId: probe.id,
        box: { x: 0, y: 0, width: 50, height: 50 },
        landmarks: [],
        quality: {},
        qualityVerdict: 'good',
        cropKey: 'probe/none.png',
        cropSha256: 'c'.repeat(64),
        modelId: 'model@1',
        embedding: Buffer.alloc(8),
      },
    });
    const candidates = [];
    for (let rank = 1; rank <= candidateCount; rank += 1) {
      const subject = await prisma.subject.create({ data: { watchlistId: watchlist.id, reference: `${reference}-S${rank}`, displayName: `Secret Name ${reference} ${rank}` } });
      const enrolled = await prisma.enrolledFace.create({
        data: {
          subjectId: subject.id,
          watchlistId: watchlist.id,
          imageSha256: `${rank}`.padStart(64, 'e') + reference,
          cropKey: `enrolled/${rank}.png`,
          quality: {},
          modelId: 'model@1',
          embedding: Buffer.alloc(8),
          vectorPointId: crypto.randomUUID(),
          expiresAt: new Date(Date.now() + 86_400_000),
          indexState: 'indexed',
        },
      });
      candidates.push({ enrolledFaceId: enrolled.id, subjectId: subject.id, rank, rawScore: 0.9 - rank / 10, falseMatchRate: 1e-6 * rank, expectedFpir: 1e-4 * rank });
    }
    const search = await prisma.search.create({
      data: {
        caseId: kase.id,
        probeFaceId: probeFace.id,
        actorId: openerId,
        watchlistIds: [watchlist.id],
        mode: 'rank',
        listSize: 20,
        modelId: 'model@1',
        indexEngine: 'embedded',
        indexVersion: '1',
        gallerySize: 1000,
        candidates: { createMany: { data: candidates } },
      },
      select: { id: true, candidates: { orderBy: { rank: 'asc' }, select: { id: true, enrolledFaceId: true } } },
    });
    return { caseId: kase.id, probeId: probe.id, probeFaceId: probeFace.id, searchId: search.id, candidateIds: search.candidates.map((c) => c.id), enrolledFaceIds: search.candidates.map((c) => c.enrolledFaceId) };
  }

  return { actors, teamA, teamB, watchlist, makeSearch };
}
