import { existsSync } from 'node:fs';
import sharp from 'sharp';
import { createActionDefiner } from '@/lib/server/actions/create-action-definer';
import { commitReviewSpec, requestDisclosureSpec, takeSecondReviewSpec } from '@/lib/server/actions/specs/review';
import { approveDisclosureSpec, refuseDisclosureSpec, resolveDisputeSpec } from '@/lib/server/actions/specs/supervision';
import type { Actor } from '@/lib/server/auth/current-actor';
import type { Database } from '@/lib/server/db/database';
import { cropStoreFor } from '@/lib/server/storage/crop-store';
import type { Decision } from '@/lib/shared/schemas/review';
import { buildCaseworkFixture, type CaseworkFixture } from './casework-fixture';
import { hasLfw, lfwImage } from './lfw';

// Casework walked to the supervisor's desk through the real action specifications, with real crop
// files on disk (LFW faces where the images are here, drawn stand-ins otherwise), so a disclosure
// pack can be generated and read back.

export const NON_LATIN_NAME = 'Łukasz Ωmega Дмитрий';

const FACES: [string, number][] = [
  ['Colin_Powell', 1],
  ['Colin_Powell', 2],
  ['Serena_Williams', 1],
  ['Ariel_Sharon', 1],
];

/** A face crop PNG: an LFW face cut to its middle, or a coloured stand-in when LFW is absent. */
async function cropPng(index: number): Promise<Buffer> {
  const [name, number] = FACES[index % FACES.length]!;
  const path = lfwImage(name, number);
  if (hasLfw && existsSync(path)) return sharp(path).extract({ left: 19, top: 19, width: 112, height: 112 }).png().toBuffer();
  const hue = (index * 77) % 255;
  return sharp({ create: { width: 112, height: 112, channels: 3, background: { r: hue, g: 120, b: 255 - hue } } })
    .png()
    .toBuffer();
}

export type DisclosureWorld = Awaited<ReturnType<typeof buildDisclosureWorld>>;

export async function buildDisclosureWorld(database: Database, dataDir: string, tag: string) {
  const world: CaseworkFixture = await buildCaseworkFixture(database, tag);
  const { prisma } = database;
  let actor: Actor | null = null;
  const define = createActionDefiner({ getActor: async () => actor, getPrisma: async () => database.prisma, logError: (id, error) => console.error(`[action ${id}]`, error) });
  const actions = {
    commit: define(commitReviewSpec),
    take: define(takeSecondReviewSpec),
    request: define(requestDisclosureSpec),
    approve: define(approveDisclosureSpec),
    refuse: define(refuseDisclosureSpec),
    resolve: define(resolveDisputeSpec),
  };
  const as = (who: Actor) => {
    actor = who;
    return actions;
  };
  const crops = cropStoreFor(dataDir);

  const decide = (ids: string[], decisions: Decision[]) =>
    ids.map((candidateId, index) => ({
      candidateId,
      decision: decisions[index]!,
      rationale: decisions[index] === 'no_match' ? '' : 'Same ear lobes, hairline and the scar over the left eyebrow.',
      checklist: { ears: 'similar' as const, hair: 'similar' as const, marks: 'similar' as const },
    }));

  /** Real crop files for a search's probe face and its candidates' enrolled faces. */
  async function attachCrops(search: { probeFaceId: string; enrolledFaceIds: string[] }) {
    const probe = await crops.saveUploaded('probe', await cropPng(0));
    await prisma.probeFace.update({ where: { id: search.probeFaceId }, data: { cropKey: probe.key, cropSha256: probe.sha256 } });
    for (const [index, id] of search.enrolledFaceIds.entries()) {
      const stored = await crops.saveUploaded('enrolled', await cropPng(index + 1));
      await prisma.enrolledFace.update({ where: { id }, data: { cropKey: stored.key } });
    }
  }

  /**
   * A search reviewed by `first` and `second` to a confirmed possible match on the first candidate,
   * put forward for disclosure by `requester`. The first candidate is called NON_LATIN_NAME.
   */
  async function pendingDisclosure(reference: string, people: { first?: Actor; second?: Actor; requester?: Actor } = {}) {
    const first = people.first ?? world.actors.opener;
    const second = people.second ?? world.actors.teammate;
    const s = await world.makeSearch(reference, first.id, world.teamA.id, 3);
    await attachCrops(s);
    const [c1, c2, c3] = s.candidateIds as [string, string, string];
    await prisma.subject.updateMany({ where: { candidates: { some: { id: c1 } } }, data: { displayName: NON_LATIN_NAME } });
    await prisma.probeFace.update({ where: { id: s.probeFaceId }, data: { serverQualityVerdict: 'usable', qualityVerdict: 'good', qualityOverrideReason: null, embeddingAgreement: 0.9987 } });
    must(await as(first).commit({ searchId: s.searchId, decisions: decide([c1, c2, c3], ['possible_match', 'no_match', 'inconclusive']) }));
    must(await as(second).take({ searchId: s.searchId }));
    const order = (await prisma.review.findUniqueOrThrow({ where: { searchId_stage: { searchId: s.searchId, stage: 'second' } } })).candidateOrder;
    must(await as(second).commit({ searchId: s.searchId, decisions: decide(order, order.map((id) => (id === c1 ? 'possible_match' : id === c3 ? 'inconclusive' : 'no_match'))) }));
    const requested = must(await as(people.requester ?? first).request({ candidateId: c1, statement: 'Both reviewers saw the same scar over the left eyebrow.' }));
    return { ...s, disclosureId: requested.disclosureId };
  }

  /** Another search in the same case, reviewed by `first` to the outcome given. */
  async function otherSearch(caseId: string, probeFaceId: string, outcome: 'no_match_in_list' | 'no_possible_match') {
    const faces = await prisma.enrolledFace.findMany({ where: { watchlistId: world.watchlist.id }, take: 2, select: { id: true, subjectId: true } });
    const search = await prisma.search.create({
      data: {
        caseId,
        probeFaceId,
        actorId: world.actors.opener.id,
        watchlistIds: [world.watchlist.id],
        mode: 'rank',
        listSize: 2,
        modelId: 'model@1',
        indexEngine: 'embedded',
        indexVersion: '1',
        gallerySize: 1000,
        candidates: { createMany: { data: faces.map((face, index) => ({ enrolledFaceId: face.id, subjectId: face.subjectId, rank: index + 1, rawScore: 0.3, falseMatchRate: 0.01, expectedFpir: 0.9 })) } },
      },
      select: { id: true, candidates: { orderBy: { rank: 'asc' }, select: { id: true } } },
    });
    const ids = search.candidates.map((candidate) => candidate.id);
    must(await as(world.actors.opener).commit({ searchId: search.id, isNoMatchInList: outcome === 'no_match_in_list', decisions: decide(ids, ids.map(() => 'no_match')) }));
    return search.id;
  }

  /** A search the two reviewers disagreed on: candidate 1 possible match against no match; candidate 2 no match by both. */
  async function disputedSearch(reference: string) {
    const s = await world.makeSearch(reference, world.actors.opener.id, world.teamA.id, 2);
    await attachCrops(s);
    const [c1, c2] = s.candidateIds as [string, string];
    must(await as(world.actors.opener).commit({ searchId: s.searchId, decisions: decide([c1, c2], ['possible_match', 'no_match']) }));
    must(await as(world.actors.teammate).take({ searchId: s.searchId }));
    must(await as(world.actors.teammate).commit({ searchId: s.searchId, decisions: decide([c1, c2], ['no_match', 'no_match']) }));
    const dispute = await prisma.dispute.findUniqueOrThrow({ where: { searchId: s.searchId }, select: { id: true } });
    return { ...s, disputeId: dispute.id };
  }

  return { world, as, actions, pendingDisclosure, otherSearch, disputedSearch, decide };
}

function must<T>(result: { ok: true; data: T } | { ok: false; error: { code: string; message: string } }): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.data;
}
