import 'server-only';
import { getConfig } from '@/lib/server/config';
import type { Db } from '@/lib/server/db/database';
import type { Prisma } from '@/lib/server/generated/prisma/client';
import type { Actor } from '@/lib/server/auth/current-actor';
import { whereVisible } from '@/lib/server/dal/visibility';
import { cropStoreFor } from '@/lib/server/storage/crop-store';
import type { PackAuditEvent, PackContent, StoryDisclosure, WholeStory } from '@/lib/shared/review/whole-story-view';

/** The decision the pack records, when it is generated for an approval that is not yet stored. */
export type PackDecision = { decidedBy: string; decidedAt: Date; rationale: string };

/** The crop files a pack embeds, by the id of the face they show; null where none is held. */
export type PackCropKeys = { probe: string | null; candidates: Map<string, string | null> };
export type PackImages = { probe: Buffer | null; candidates: Map<string, Buffer | null> };

/**
 * Everything a disclosure pack says, from the whole story of the disclosure (see loadWholeStory) and
 * the audit log (reads only: it may run in a transaction). `decision` is the approval being made (the
 * pack is generated before it is stored); `throughSequence` ends the audit trail at a recorded chain
 * head (an approved pack re-read later), otherwise the trail runs to the chain head now.
 */
export async function assemblePackContent(
  db: Db,
  actor: Actor,
  story: WholeStory & { disclosure: StoryDisclosure },
  options: { decision?: PackDecision; throughSequence?: bigint; generatedAt: Date },
): Promise<{ content: PackContent; crops: PackCropKeys }> {
  const disclosure: StoryDisclosure = options.decision
    ? { ...story.disclosure, status: 'approved', decidedBy: options.decision.decidedBy, decidedAt: options.decision.decidedAt, decisionRationale: options.decision.rationale, packSha256: null }
    : story.disclosure;
  const told: WholeStory = {
    ...story,
    disclosure,
    candidates: story.candidates.map((candidate) => ({ ...candidate, disclosures: candidate.disclosures.map((entry) => (entry.id === disclosure.id ? disclosure : entry)) })),
    // A pack re-read later shows the case as it stood when the pack was made.
    otherSearches: story.otherSearches.filter((search) => search.createdAt <= options.generatedAt),
  };
  const head =
    options.throughSequence !== undefined
      ? await db.auditEvent.findUnique({ where: { sequence: options.throughSequence }, select: { sequence: true, hash: true } })
      : await db.auditEvent.findFirst({ orderBy: { sequence: 'desc' }, select: { sequence: true, hash: true } });
  const [auditTrail, crops] = await Promise.all([loadAuditTrail(db, told, head?.sequence ?? 0n), findCropKeys(db, actor, told)]);
  return {
    content: {
      story: told,
      disclosure,
      auditTrail,
      chainHead: head ? { sequence: Number(head.sequence), hash: head.hash } : null,
      generatedAt: options.generatedAt,
      isFinal: Boolean(options.decision) || disclosure.status === 'approved',
    },
    crops,
  };
}

/**
 * The audit events of this search up to the chain head: everything done to the search, its probe face,
 * its candidates, its dispute and its disclosures, and the refused attempts that named them.
 */
async function loadAuditTrail(db: Db, story: WholeStory, throughSequence: bigint): Promise<PackAuditEvent[]> {
  const candidateIds = story.candidates.map((candidate) => candidate.id);
  const disclosureIds = story.candidates.flatMap((candidate) => candidate.disclosures.map((entry) => entry.id));
  const about: Prisma.AuditEventWhereInput[] = [
    { targetType: 'search', targetId: story.search.id },
    // Every face of the probe (several for a search of several faces of one person).
    { targetType: 'probe_face', targetId: { in: [...new Set([story.probeFace.id, ...story.probeFaces.map((face) => face.id)])] } },
    { targetType: 'candidate', targetId: { in: candidateIds } },
    { targetType: 'disclosure', targetId: { in: disclosureIds } },
    ...(story.dispute ? [{ targetType: 'dispute', targetId: story.dispute.id }] : []),
  ];
  // A refusal has no target: the ids the caller named are in its payload (see attemptedTargets).
  const named: Prisma.AuditEventWhereInput[] = [
    { payload: { path: ['searchId'], equals: story.search.id } },
    ...candidateIds.map((id) => ({ payload: { path: ['candidateId'], equals: id } })),
    ...disclosureIds.map((id) => ({ payload: { path: ['disclosureId'], equals: id } })),
    ...(story.dispute ? [{ payload: { path: ['disputeId'], equals: story.dispute.id } }] : []),
  ];
  const rows = await db.auditEvent.findMany({
    where: { sequence: { lte: throughSequence }, OR: [...about, { outcome: { not: 'success' }, OR: named }] },
    orderBy: { sequence: 'asc' },
    select: { sequence: true, createdAt: true, action: true, outcome: true, actorId: true, actorRole: true, targetType: true, targetId: true, hash: true },
  });
  const actorIds = [...new Set(rows.map((row) => row.actorId).filter((id): id is string => Boolean(id)))];
  const names = new Map((await db.user.findMany({ where: { id: { in: actorIds } }, select: { id: true, displayName: true } })).map((user) => [user.id, user.displayName]));
  return rows.map((row) => ({
    sequence: Number(row.sequence),
    createdAt: row.createdAt,
    action: row.action,
    outcome: row.outcome,
    actorName: row.actorId ? (names.get(row.actorId) ?? row.actorId) : null,
    actorRole: row.actorRole,
    targetType: row.targetType,
    targetId: row.targetId,
    hash: row.hash,
  }));
}

async function findCropKeys(db: Db, actor: Actor, story: WholeStory): Promise<PackCropKeys> {
  const [face, candidates] = await Promise.all([
    db.probeFace.findFirst({ where: { id: story.probeFace.id, ...whereVisible(actor, 'probeFace') }, select: { cropKey: true, purgedAt: true } }),
    db.candidate.findMany({
      where: { searchId: story.search.id, ...whereVisible(actor, 'candidate') },
      select: { id: true, evidenceCropKey: true, enrolledFace: { select: { cropKey: true, indexState: true, purgedAt: true } } },
    }),
  ]);
  // An erased face's crop is gone from the store unless retention kept an evidence copy of it (a
  // disclosed lead, a held case); the pack then says the crop is not held rather than failing.
  const enrolledCrop = (candidate: (typeof candidates)[number]) =>
    candidate.evidenceCropKey ?? (candidate.enrolledFace.indexState === 'deleted' || candidate.enrolledFace.purgedAt ? null : candidate.enrolledFace.cropKey);
  return {
    probe: face && !face.purgedAt ? face.cropKey : null,
    candidates: new Map(candidates.map((candidate) => [candidate.id, enrolledCrop(candidate)])),
  };
}

/** Reads the crops a pack embeds; one that is missing from the store is shown as missing, not fatal. */
export async function readPackImages(keys: PackCropKeys): Promise<PackImages> {
  const store = cropStoreFor(getConfig().dataDir);
  const read = async (key: string | null) => (key ? store.read(key).catch(() => null) : null);
  const candidates = await Promise.all([...keys.candidates].map(async ([id, key]) => [id, await read(key)] as const));
  return { probe: await read(keys.probe), candidates: new Map(candidates) };
}
