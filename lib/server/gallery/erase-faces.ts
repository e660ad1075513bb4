import 'server-only';
import type { TransactionClient } from '@/lib/server/db/database';
import type { PrismaClient } from '@/lib/server/generated/prisma/client';
import { appendAuditEvent } from '@/lib/server/audit/append-audit-event';
import { listCandidatesNeedingEvidence, preserveCandidateEvidence } from '@/lib/server/retention/preserve-evidence';
import { noteFilesForDeletion, sweepNotedFiles } from '@/lib/server/retention/stored-file-deletions';
import type { CropStore } from '@/lib/server/storage/crop-store';
import { bumpWatchlistVersion } from './watchlist-version';

const LIVE = { in: ['pending' as const, 'indexed' as const] };

/**
 * Erasure starts in the database: the subject (or the whole watch-list) is marked deleted and its faces
 * move to `deleting`, in the caller's transaction with its audit event. From that moment searches no
 * longer return them (the search checks the database), even before the vector index has caught up.
 * The list's version increases in the same transaction.
 */
export async function markSubjectForErasure(tx: TransactionClient, subjectId: string): Promise<number> {
  const now = new Date();
  const subject = await tx.subject.update({ where: { id: subjectId }, data: { deletedAt: now }, select: { watchlistId: true } });
  const faces = await tx.enrolledFace.updateMany({ where: { subjectId, indexState: LIVE }, data: { indexState: 'deleting' } });
  await bumpWatchlistVersion(tx, subject.watchlistId);
  return faces.count;
}

export async function markWatchlistForErasure(tx: TransactionClient, watchlistId: string): Promise<number> {
  const now = new Date();
  await tx.watchlist.update({ where: { id: watchlistId }, data: { deletedAt: now } });
  await tx.subject.updateMany({ where: { watchlistId, deletedAt: null }, data: { deletedAt: now } });
  const faces = await tx.enrolledFace.updateMany({ where: { watchlistId, indexState: LIVE }, data: { indexState: 'deleting' } });
  await bumpWatchlistVersion(tx, watchlistId);
  return faces.count;
}

export type PurgeReport = {
  /** Faces whose embedding and crop are gone. */
  purged: number;
  /** Candidates that received an evidence copy of their face's crop before it went. */
  evidenceCopies: number;
  /** Faces whose crop was already missing from the disk, so no evidence copy could be made. */
  missingCrops: number;
  /** Noted crop files settled (removed, or kept because another face still uses them). */
  filesSettled: number;
};

const PURGE_BATCH = 100;

/**
 * Once the index has dropped them, erased (or expired) faces keep only their audit-relevant metadata:
 * the embedding is overwritten and the crop file removed. Past searches still name the subject and
 * the scores; where a candidate's crop is case evidence (see preserve-evidence.ts) a copy is kept with
 * the candidate first.
 *
 * Each step can be repeated, so a crash anywhere is finished by the next call: evidence copies are
 * content-addressed; a face is marked purged in the transaction that notes its crop for deletion (with
 * its audit event); the file goes after that commits (stored-file-deletions.ts). Without ids, every
 * face in state `deleted` not yet purged is done, which is how the retention job picks up leftovers.
 */
export async function purgeErasedFaceData(
  prisma: PrismaClient,
  crops: CropStore,
  enrolledFaceIds?: string[],
  onBatch?: (faceIds: string[]) => Promise<void> | void,
): Promise<PurgeReport> {
  const report: PurgeReport = { purged: 0, evidenceCopies: 0, missingCrops: 0, filesSettled: 0 };
  if (enrolledFaceIds?.length === 0) return report;
  // By id, so a face held back for the next pass is not met again in this one.
  let after = '';
  for (;;) {
    const faces = await prisma.enrolledFace.findMany({
      where: { indexState: 'deleted', purgedAt: null, id: { ...(enrolledFaceIds ? { in: enrolledFaceIds } : {}), ...(after ? { gt: after } : {}) } },
      select: { id: true, cropKey: true },
      orderBy: { id: 'asc' },
      take: PURGE_BATCH,
    });
    if (faces.length === 0) return report;
    after = faces[faces.length - 1]!.id;

    const evidence: { candidateId: string; enrolledFaceId: string }[] = [];
    const missing: string[] = [];
    // One query for the batch: most erased faces were never anyone's candidate.
    const needed = new Set((await listCandidatesNeedingEvidence(prisma, faces.map((face) => face.id))).map((candidate) => candidate.enrolledFaceId));
    for (const face of faces.filter((entry) => needed.has(entry.id))) {
      const outcome = await preserveCandidateEvidence(prisma, crops, face);
      if (outcome.isCropMissing) missing.push(face.id);
      for (const candidateId of outcome.candidateIds) evidence.push({ candidateId, enrolledFaceId: face.id });
    }

    const noted = await prisma.$transaction(async (tx) => {
      // Locked, and re-read: a purge running alongside (the erasure's own, the hourly job's) waits here
      // and then finds these faces done rather than purging and auditing them twice.
      const unpurged = await tx.$queryRaw<{ id: string }[]>`
        SELECT "id" FROM "enrolled_faces" WHERE "id" = ANY(${faces.map((face) => face.id)}::uuid[]) AND "purged_at" IS NULL FOR UPDATE`;
      const open = new Set(unpurged.map((row) => row.id));
      // A candidate that came to need evidence since (a disclosure request, a possible match) holds its
      // face back for the next pass, unless the crop is already gone and nothing can be saved.
      const waiting = new Set((await listCandidatesNeedingEvidence(tx, faces.map((face) => face.id))).map((candidate) => candidate.enrolledFaceId));
      const done = faces.filter((face) => open.has(face.id) && (!waiting.has(face.id) || missing.includes(face.id)));
      if (done.length === 0) return { ids: [] as string[], keys: [] as string[] };
      const ids = done.map((face) => face.id);
      await tx.enrolledFace.updateMany({ where: { id: { in: ids }, purgedAt: null }, data: { embedding: new Uint8Array(0), purgedAt: new Date() } });
      // A crop is content-addressed: the same image enrolled in another list shares the file.
      const keys = [...new Set(done.map((face) => face.cropKey))];
      const shared = await tx.enrolledFace.findMany({ where: { cropKey: { in: keys }, purgedAt: null }, select: { cropKey: true } });
      const stillUsed = new Set(shared.map((face) => face.cropKey));
      const noted = await noteFilesForDeletion(tx, keys.filter((key) => !stillUsed.has(key)));
      await appendAuditEvent(tx, {
        actorId: null,
        actorRole: 'system',
        action: 'gallery.purge',
        outcome: 'success',
        targetType: 'enrolled_faces',
        targetId: null,
        payload: {
          enrolledFaceIds: ids,
          evidenceCopies: evidence.filter((entry) => ids.includes(entry.enrolledFaceId)),
          missingCrops: missing.filter((id) => ids.includes(id)),
        },
      });
      return { ids, keys: noted };
    });
    report.purged += noted.ids.length;
    report.evidenceCopies += evidence.filter((entry) => noted.ids.includes(entry.enrolledFaceId)).length;
    report.missingCrops += missing.filter((id) => noted.ids.includes(id)).length;
    if (noted.ids.length > 0) await onBatch?.(noted.ids);
    report.filesSettled += await sweepNotedFiles(prisma, crops, noted.keys);
  }
}
