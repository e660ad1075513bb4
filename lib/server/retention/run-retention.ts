import 'server-only';
import { recordAuditEvent } from '@/lib/server/audit/append-audit-event';
import type { PrismaClient } from '@/lib/server/generated/prisma/client';
import { purgeErasedFaceData } from '@/lib/server/gallery/erase-faces';
import { syncVectorIndex } from '@/lib/server/gallery/sync-vector-index';
import type { CropStore } from '@/lib/server/storage/crop-store';
import type { PackStore } from '@/lib/server/storage/pack-store';
import type { VectorIndex } from '@/lib/server/vector/vector-index';
import { deleteClosedCases, deleteEmptiedProbes, deleteNoLeadSearches, expireProbeFaces, type CaseworkContext } from './delete-casework';
import { deleteReleasedGalleryRecords } from './delete-gallery-records';
import { expireFaces } from './expire-faces';
import { pruneAuditLog } from './prune-audit-log';
import { cutoffFor, readRetentionPolicy, type RetentionPolicy } from './retention-policy';
import { sweepNotedFiles } from './stored-file-deletions';

export type RetentionReport = {
  /** Enrolled faces past their watch-list's retention, taken out of every search. */
  expiredFaces: number;
  /** Index work done on the way: pending faces indexed, erased or expired faces removed from the index. */
  indexedFaces: number;
  removedFromIndex: number;
  /** Enrolled faces whose embedding and crop are gone (after evidence copies for their candidates). */
  purgedEnrolledFaces: number;
  evidenceCopies: number;
  missingCrops: number;
  deletedCases: number;
  deletedSearches: number;
  /** Probe faces that lost their crop and embedding while a search kept their row, and rows deleted. */
  purgedProbeFaces: number;
  deletedProbeFaces: number;
  deletedProbes: number;
  deletedEnrolledFaces: number;
  deletedSubjects: number;
  deletedSetAside: number;
  prunedAuditEvents: number;
  /** Noted files settled (removed, or kept because something references them again), and stale temporaries. */
  filesSettled: number;
  staleTemporaries: number;
};

export type RetentionProgress = { step: string; ids: string[] };

export type RetentionOptions = {
  prisma: PrismaClient;
  index: VectorIndex;
  crops: CropStore;
  /** Disclosure packs, deleted with their case. Without it their deletion waits for a run that has it. */
  packs?: PackStore;
  now?: Date;
  /** Defaults to the stored policy (`retention.policy`). */
  policy?: RetentionPolicy;
  batchSize?: number;
  /** Called after every committed step, before its files are removed; awaited. */
  onProgress?: (progress: RetentionProgress) => Promise<void> | void;
};

const DEFAULT_BATCH = 100;

/**
 * The retention job: `npm run retention` and the server's hourly sweep both run this. It deletes what
 * the policy (and each watch-list's retention period) says has expired from the database, the crop
 * store and the vector index, and records ids and counts, never content, in the audit log.
 *
 * Safe to interrupt and to repeat: every deletion is a transaction that re-checks what it deletes and
 * appends its own audit event; faces leave the index through their index state (marked, removed, then
 * purged); files go through notes (stored-file-deletions.ts). A killed run leaves only work that the
 * next run, which starts with that leftover work, finishes.
 */
export async function runRetention(options: RetentionOptions): Promise<RetentionReport> {
  const { prisma, index, crops, packs } = options;
  const now = options.now ?? new Date();
  const policy = options.policy ?? (await readRetentionPolicy(prisma));
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  const progress = async (step: string, ids: string[] = []) => options.onProgress?.({ step, ids });
  const report = emptyReport();

  // What an interrupted run noted but did not get to remove.
  report.filesSettled += await sweepNotedFiles(prisma, crops, undefined, packs);
  await progress('files');

  // The gallery: expired faces leave every search at once, then the index, then the disk.
  report.expiredFaces = await expireFaces(prisma, now);
  await progress('expire');
  // An index that cannot be reached holds up only the faces: they are already out of every search (the
  // database decides), stay `deleting` and are not purged until the index has dropped them. The rest
  // of retention goes ahead, and the run then fails so that the failure is seen and retried.
  let indexFailure: unknown = null;
  try {
    const synced = await syncVectorIndex(prisma, index);
    report.indexedFaces = synced.indexed;
    report.removedFromIndex = synced.deleted;
  } catch (error) {
    indexFailure = error;
  }
  await progress('index');
  const purged = await purgeErasedFaceData(prisma, crops, undefined, (ids) => progress('purge_enrolled_faces', ids));
  report.purgedEnrolledFaces = purged.purged;
  report.evidenceCopies = purged.evidenceCopies;
  report.missingCrops = purged.missingCrops;
  report.filesSettled += purged.filesSettled;

  // Casework, outermost first, so a closed case goes whole rather than piece by piece.
  const context: CaseworkContext = {
    prisma,
    crops,
    packs,
    batchSize,
    onBatch: (step, ids) => progress(step, ids),
    onFilesSettled: (count) => (report.filesSettled += count),
  };
  const closedBefore = cutoffFor(policy.closedCaseDays, now);
  if (closedBefore) report.deletedCases = await deleteClosedCases(context, closedBefore);
  const ranBefore = cutoffFor(policy.searchDays, now);
  if (ranBefore) report.deletedSearches = await deleteNoLeadSearches(context, ranBefore);
  const uploadedBefore = cutoffFor(policy.probeDays, now);
  if (uploadedBefore) {
    const probeFaces = await expireProbeFaces(context, uploadedBefore);
    report.purgedProbeFaces = probeFaces.purged;
    report.deletedProbeFaces = probeFaces.deleted;
  }
  const emptied = await deleteEmptiedProbes(context, uploadedBefore);
  report.deletedProbeFaces += emptied.probeFaces;
  report.deletedProbes = emptied.probes;

  // Gallery rows that only the casework just deleted still referred to.
  const gallery = await deleteReleasedGalleryRecords(prisma, { batchSize, onBatch: (step, ids) => progress(step, ids) });
  report.deletedEnrolledFaces = gallery.enrolledFaces;
  report.deletedSubjects = gallery.subjects;
  report.deletedSetAside = gallery.setAside;

  const auditBefore = cutoffFor(policy.auditDays, now);
  if (auditBefore) {
    report.prunedAuditEvents = await pruneAuditLog(prisma, {
      olderThan: auditBefore,
      now,
      batchSize: batchSize * 100,
      onBatch: (through) => progress('audit', [through.toString()]),
    });
  }

  report.staleTemporaries = await crops.removeStaleTemporaries();
  report.filesSettled += await sweepNotedFiles(prisma, crops, undefined, packs);

  // Each deletion above carries its own event; this one says that a run happened, under which policy.
  // Nothing to say, nothing written: the hourly sweep does not fill the log with empty runs.
  if (hasChanges(report)) {
    await recordAuditEvent(prisma, {
      actorId: null,
      actorRole: 'system',
      action: 'retention.run',
      outcome: 'success',
      targetType: 'retention',
      targetId: null,
      payload: { at: now.toISOString(), policy, report },
    });
  }
  if (indexFailure) {
    throw new Error(
      `Retention ran, but the vector index could not be updated (${(indexFailure as Error).message}): expired and erased faces ` +
        'are out of every search already and leave the index on the next run.',
      { cause: indexFailure },
    );
  }
  await progress('done');
  return report;
}

function emptyReport(): RetentionReport {
  return {
    expiredFaces: 0,
    indexedFaces: 0,
    removedFromIndex: 0,
    purgedEnrolledFaces: 0,
    evidenceCopies: 0,
    missingCrops: 0,
    deletedCases: 0,
    deletedSearches: 0,
    purgedProbeFaces: 0,
    deletedProbeFaces: 0,
    deletedProbes: 0,
    deletedEnrolledFaces: 0,
    deletedSubjects: 0,
    deletedSetAside: 0,
    prunedAuditEvents: 0,
    filesSettled: 0,
    staleTemporaries: 0,
  };
}

export function hasChanges(report: RetentionReport): boolean {
  return Object.values(report).some((count) => count > 0);
}
