import 'server-only';
import type { TransactionClient } from '@/lib/server/db/database';
import type { Prisma, PrismaClient } from '@/lib/server/generated/prisma/client';
import { appendAuditEvent } from '@/lib/server/audit/append-audit-event';
import type { CropStore } from '@/lib/server/storage/crop-store';
import type { PackStore } from '@/lib/server/storage/pack-store';
import { noteFilesForDeletion, sweepNotedFiles } from './stored-file-deletions';

// Casework retention. Each batch is one transaction that locks what it deletes, re-checks that it is
// still due and not held, deletes it, notes its files and appends its audit event (ids and counts,
// never content): a kill mid-run loses nothing that has not been recorded as deleted, and the next
// run carries on from where this one stopped. Files go only after the commit (mark-then-sweep).

export type CaseworkContext = {
  prisma: PrismaClient;
  crops: CropStore;
  /** Disclosure packs go with their case; without the store their notes wait for a run that has it. */
  packs?: PackStore;
  batchSize: number;
  /** Called after each committed batch, before its files are removed. */
  onBatch: (step: string, ids: string[]) => Promise<void>;
  /** Called with how many noted files each batch's sweep settled. */
  onFilesSettled?: (count: number) => void;
};

async function sweepBatchFiles(context: CaseworkContext, keys: string[]): Promise<void> {
  const settled = await sweepNotedFiles(context.prisma, context.crops, keys, context.packs);
  context.onFilesSettled?.(settled);
}

/** A search that produced nothing for anyone to act on: the list was empty, or no one saw a possible match. */
const NO_LEAD: Prisma.SearchWhereInput = {
  OR: [{ reviewState: { in: ['no_match_in_list', 'no_possible_match'] } }, { status: 'failed' }],
  candidates: { none: { disclosures: { some: {} } } },
};

const NOT_HELD: Prisma.CaseWhereInput = { legalHoldAt: null };

type SearchRecordCounts = { searches: number; candidates: number; reviews: number; adjudications: number; disputes: number; disclosures: number; packs: string[] };

/** Closed cases past their retention, one case per transaction, with everything in them. */
export async function deleteClosedCases(context: CaseworkContext, closedBefore: Date): Promise<number> {
  let deleted = 0;
  let after = '';
  for (;;) {
    const due = await context.prisma.case.findMany({
      where: { status: 'closed', closedAt: { lte: closedBefore }, ...NOT_HELD, ...(after ? { id: { gt: after } } : {}) },
      select: { id: true },
      orderBy: { id: 'asc' },
      take: context.batchSize,
    });
    if (due.length === 0) return deleted;
    after = due[due.length - 1]!.id;
    for (const { id } of due) {
      const outcome = await context.prisma.$transaction((tx) => deleteCase(tx, id, closedBefore));
      if (!outcome) continue;
      deleted += 1;
      await context.onBatch('case', [id]);
      await sweepBatchFiles(context, outcome.files);
    }
  }
}

async function deleteCase(tx: TransactionClient, caseId: string, closedBefore: Date): Promise<{ files: string[] } | null> {
  // FOR UPDATE: a legal hold placed meanwhile waits for this to commit (and then finds no case), or
  // commits first and this finds the case held and leaves it.
  const locked = await tx.$queryRaw<{ id: string }[]>`
    SELECT "id" FROM "cases"
    WHERE "id" = ${caseId}::uuid AND "status" = 'closed' AND "closed_at" <= ${closedBefore} AND "legal_hold_at" IS NULL
    FOR UPDATE`;
  if (locked.length === 0) return null;
  const searches = { caseId };
  const evidence = await tx.candidate.findMany({ where: { search: searches, evidenceCropKey: { not: null } }, select: { evidenceCropKey: true } });
  const counts = await deleteSearchRecords(tx, searches);
  const probeFaces = await tx.probeFace.findMany({ where: { probe: { caseId } }, select: { cropKey: true } });
  const probeFaceCount = (await tx.probeFace.deleteMany({ where: { probe: { caseId } } })).count;
  const probeCount = (await tx.probe.deleteMany({ where: { caseId } })).count;
  await tx.case.delete({ where: { id: caseId } });
  const { packs, ...recordCounts } = counts;
  const files = await noteFilesForDeletion(tx, [...evidence.map((row) => row.evidenceCropKey!), ...probeFaces.map((row) => row.cropKey), ...packs]);
  await appendAuditEvent(tx, {
    actorId: null,
    actorRole: 'system',
    action: 'retention.delete_case',
    outcome: 'success',
    targetType: 'case',
    targetId: caseId,
    payload: { closedBefore: closedBefore.toISOString(), ...recordCounts, packs: packs.length, probeFaces: probeFaceCount, probes: probeCount, files: files.length },
  });
  return { files };
}

/** Searches that produced no lead, past their retention, in cases not under hold. */
export async function deleteNoLeadSearches(context: CaseworkContext, ranBefore: Date): Promise<number> {
  const due: Prisma.SearchWhereInput = { ...NO_LEAD, createdAt: { lte: ranBefore }, case: NOT_HELD };
  let deleted = 0;
  let after = '';
  for (;;) {
    const batch = await context.prisma.search.findMany({
      where: { ...due, ...(after ? { id: { gt: after } } : {}) },
      select: { id: true },
      orderBy: { id: 'asc' },
      take: context.batchSize,
    });
    if (batch.length === 0) return deleted;
    after = batch[batch.length - 1]!.id;
    const outcome = await context.prisma.$transaction(async (tx) => {
      // The search rows FOR UPDATE (a correction or review changing the outcome waits), the case rows
      // FOR SHARE (a legal hold waits); then the rule is checked again on what is locked.
      const locked = await tx.$queryRaw<{ id: string }[]>`
        SELECT s."id" FROM "searches" s JOIN "cases" c ON c."id" = s."case_id"
        WHERE s."id" = ANY(${batch.map((row) => row.id)}::uuid[]) AND c."legal_hold_at" IS NULL
        FOR UPDATE OF s FOR SHARE OF c`;
      const ids = (await tx.search.findMany({ where: { ...due, id: { in: locked.map((row) => row.id) } }, select: { id: true } })).map((row) => row.id);
      if (ids.length === 0) return null;
      const evidence = await tx.candidate.findMany({ where: { searchId: { in: ids }, evidenceCropKey: { not: null } }, select: { evidenceCropKey: true } });
      const { packs, ...counts } = await deleteSearchRecords(tx, { id: { in: ids } });
      const files = await noteFilesForDeletion(tx, [...evidence.map((row) => row.evidenceCropKey!), ...packs]);
      await appendAuditEvent(tx, {
        actorId: null,
        actorRole: 'system',
        action: 'retention.delete_searches',
        outcome: 'success',
        targetType: 'search',
        targetId: null,
        payload: { ranBefore: ranBefore.toISOString(), searchIds: ids, ...counts },
      });
      return { ids, files };
    });
    if (!outcome) continue;
    deleted += outcome.ids.length;
    await context.onBatch('searches', outcome.ids);
    await sweepBatchFiles(context, outcome.files);
  }
}

/**
 * Probe faces past their retention whose searches (if any) all produced no lead. A face no search
 * refers to any more is deleted; one still referred to by a search kept for its own (longer) period
 * loses its crop and embedding now and its row when the last search goes.
 */
export async function expireProbeFaces(context: CaseworkContext, uploadedBefore: Date): Promise<{ purged: number; deleted: number }> {
  const due: Prisma.ProbeFaceWhereInput = { purgedAt: null, createdAt: { lte: uploadedBefore }, probe: { case: NOT_HELD }, searches: { every: NO_LEAD }, searchUses: { every: { search: NO_LEAD } } };
  const report = { purged: 0, deleted: 0 };
  let after = '';
  for (;;) {
    const batch = await context.prisma.probeFace.findMany({
      where: { ...due, ...(after ? { id: { gt: after } } : {}) },
      select: { id: true },
      orderBy: { id: 'asc' },
      take: context.batchSize,
    });
    if (batch.length === 0) return report;
    after = batch[batch.length - 1]!.id;
    const outcome = await context.prisma.$transaction(async (tx) => {
      const locked = await tx.$queryRaw<{ id: string }[]>`
        SELECT f."id" FROM "probe_faces" f JOIN "probes" p ON p."id" = f."probe_id" JOIN "cases" c ON c."id" = p."case_id"
        WHERE f."id" = ANY(${batch.map((row) => row.id)}::uuid[]) AND c."legal_hold_at" IS NULL
        FOR UPDATE OF f FOR SHARE OF c`;
      const faces = await tx.probeFace.findMany({
        where: { ...due, id: { in: locked.map((row) => row.id) } },
        select: { id: true, cropKey: true, _count: { select: { searches: true, searchUses: true } } },
      });
      if (faces.length === 0) return null;
      // A face is referred to by a search as its primary face or as one of the further faces of a
      // multi-face probe (search_probe_faces); either keeps the row.
      const isReferenced = (face: (typeof faces)[number]) => face._count.searches + face._count.searchUses > 0;
      const unreferenced = faces.filter((face) => !isReferenced(face)).map((face) => face.id);
      const referenced = faces.filter(isReferenced).map((face) => face.id);
      if (unreferenced.length) await tx.probeFace.deleteMany({ where: { id: { in: unreferenced } } });
      // The key is cleared with the crop: nothing may serve, or count as using, a file that is going.
      if (referenced.length) {
        await tx.probeFace.updateMany({ where: { id: { in: referenced } }, data: { embedding: new Uint8Array(0), cropKey: '', purgedAt: new Date() } });
      }
      const files = await noteFilesForDeletion(tx, faces.map((face) => face.cropKey));
      await appendAuditEvent(tx, {
        actorId: null,
        actorRole: 'system',
        action: 'retention.expire_probe_faces',
        outcome: 'success',
        targetType: 'probe_face',
        targetId: null,
        payload: { uploadedBefore: uploadedBefore.toISOString(), deletedProbeFaceIds: unreferenced, purgedProbeFaceIds: referenced, files: files.length },
      });
      return { unreferenced, referenced, files };
    });
    if (!outcome) continue;
    report.deleted += outcome.unreferenced.length;
    report.purged += outcome.referenced.length;
    await context.onBatch('probe_faces', [...outcome.unreferenced, ...outcome.referenced]);
    await sweepBatchFiles(context, outcome.files);
  }
}

/**
 * What earlier deletions left without purpose: purged probe faces whose last search has gone, and
 * probe records (the still's hash and provenance) with no face left, once past the probe period.
 */
export async function deleteEmptiedProbes(context: CaseworkContext, uploadedBefore: Date | null): Promise<{ probeFaces: number; probes: number }> {
  const report = { probeFaces: 0, probes: 0 };
  const faceWhere: Prisma.ProbeFaceWhereInput = { purgedAt: { not: null }, searches: { none: {} }, searchUses: { none: {} }, probe: { case: NOT_HELD } };
  for (;;) {
    const batch = await context.prisma.probeFace.findMany({ where: faceWhere, select: { id: true }, orderBy: { id: 'asc' }, take: context.batchSize });
    if (batch.length === 0) break;
    const ids = await context.prisma.$transaction(async (tx) => {
      await lockCasesOf(tx, { probes: { some: { faces: { some: { id: { in: batch.map((row) => row.id) } } } } } });
      const due = (await tx.probeFace.findMany({ where: { ...faceWhere, id: { in: batch.map((row) => row.id) } }, select: { id: true } })).map((row) => row.id);
      if (due.length === 0) return [];
      await tx.probeFace.deleteMany({ where: { id: { in: due } } });
      await appendSystemEvent(tx, 'retention.delete_probe_faces', 'probe_face', { probeFaceIds: due });
      return due;
    });
    if (ids.length === 0) break;
    report.probeFaces += ids.length;
    await context.onBatch('probe_faces', ids);
  }
  if (!uploadedBefore) return report;
  const probeWhere: Prisma.ProbeWhereInput = { faces: { none: {} }, uploadedAt: { lte: uploadedBefore }, case: NOT_HELD };
  for (;;) {
    const batch = await context.prisma.probe.findMany({ where: probeWhere, select: { id: true }, orderBy: { id: 'asc' }, take: context.batchSize });
    if (batch.length === 0) break;
    const ids = await context.prisma.$transaction(async (tx) => {
      await lockCasesOf(tx, { probes: { some: { id: { in: batch.map((row) => row.id) } } } });
      const due = (await tx.probe.findMany({ where: { ...probeWhere, id: { in: batch.map((row) => row.id) } }, select: { id: true } })).map((row) => row.id);
      if (due.length === 0) return [];
      await tx.probe.deleteMany({ where: { id: { in: due } } });
      await appendSystemEvent(tx, 'retention.delete_probes', 'probe', { probeIds: due, uploadedBefore: uploadedBefore.toISOString() });
      return due;
    });
    if (ids.length === 0) break;
    report.probes += ids.length;
    await context.onBatch('probes', ids);
  }
  return report;
}

/** Deletes a set of searches with their candidates, reviews, decisions, disputes and disclosures. */
async function deleteSearchRecords(tx: TransactionClient, searches: Prisma.SearchWhereInput): Promise<SearchRecordCounts> {
  const packs = await tx.disclosure.findMany({ where: { candidate: { search: searches }, packKey: { not: null } }, select: { packKey: true } });
  const disclosures = await tx.disclosure.deleteMany({ where: { candidate: { search: searches } } });
  // Corrections point at the decision they supersede (ON DELETE SET NULL); deleted together, in one
  // statement, no row is left to update, so the append-only trigger on adjudications is never asked.
  const adjudications = await tx.adjudication.deleteMany({ where: { review: { search: searches } } });
  const disputes = await tx.dispute.deleteMany({ where: { search: searches } });
  const reviews = await tx.review.deleteMany({ where: { search: searches } });
  const candidates = await tx.candidate.deleteMany({ where: { search: searches } });
  const deleted = await tx.search.deleteMany({ where: searches });
  return {
    searches: deleted.count,
    candidates: candidates.count,
    reviews: reviews.count,
    adjudications: adjudications.count,
    disputes: disputes.count,
    disclosures: disclosures.count,
    packs: packs.map((row) => row.packKey!),
  };
}

async function lockCasesOf(tx: TransactionClient, where: Prisma.CaseWhereInput): Promise<void> {
  const ids = (await tx.case.findMany({ where, select: { id: true } })).map((row) => row.id);
  if (ids.length) await tx.$queryRaw`SELECT "id" FROM "cases" WHERE "id" = ANY(${ids}::uuid[]) FOR SHARE`;
}

export async function appendSystemEvent(tx: TransactionClient, action: string, targetType: string, payload: Record<string, unknown>): Promise<void> {
  await appendAuditEvent(tx, { actorId: null, actorRole: 'system', action, outcome: 'success', targetType, targetId: null, payload });
}
