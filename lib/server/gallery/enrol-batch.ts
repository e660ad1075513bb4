import 'server-only';
import { readFile } from 'node:fs/promises';
import type { VectorIndex } from '@/lib/server/vector/vector-index';
import { enrolImage, type EnrolmentActor, type EnrolmentDependencies, type EnrolmentOutcome } from './enrol-image';
import { syncVectorIndex } from './sync-vector-index';

export type EnrolmentItem = { path: string; subject: string };
export type BatchProgress = { done: number; total: number; enrolled: number; duplicate: number; setAside: number; imagesPerSecond: number };
export type BatchSummary = BatchProgress & { seconds: number; setAsideItems: { path: string; reason: string; message: string }[] };

// The index is brought up to date every so many images, so an interrupted run loses little work and
// searches started meanwhile already see most of what was enrolled.
const SYNC_EVERY = 64;

/** Enrols files one by one (resumable: what is already enrolled or set aside is skipped). */
export async function enrolBatch(options: {
  deps: EnrolmentDependencies;
  index: VectorIndex;
  watchlist: { id: string; retentionDays: number };
  items: EnrolmentItem[];
  actor: EnrolmentActor;
  onItem?: (item: EnrolmentItem, outcome: EnrolmentOutcome) => void;
  onProgress?: (progress: BatchProgress) => void;
}): Promise<BatchSummary> {
  const started = Date.now();
  const progress: BatchProgress = { done: 0, total: options.items.length, enrolled: 0, duplicate: 0, setAside: 0, imagesPerSecond: 0 };
  const setAsideItems: BatchSummary['setAsideItems'] = [];
  for (const item of options.items) {
    let outcome: EnrolmentOutcome;
    try {
      outcome = await enrolImage(options.deps, {
        watchlist: options.watchlist,
        subjectReference: item.subject,
        bytes: await readFile(item.path),
        sourceLabel: item.path,
        actor: options.actor,
      });
    } catch (error) {
      // A file that vanished or a failed write: reported, not recorded, so a rerun tries it again.
      outcome = { status: 'set_aside', reason: 'unreadable', message: (error as Error).message, isAlreadyRecorded: true };
    }
    if (outcome.status === 'enrolled') progress.enrolled += 1;
    else if (outcome.status === 'duplicate') progress.duplicate += 1;
    else {
      progress.setAside += 1;
      setAsideItems.push({ path: item.path, reason: outcome.reason, message: outcome.message });
    }
    progress.done += 1;
    progress.imagesPerSecond = progress.done / Math.max((Date.now() - started) / 1000, 1e-3);
    options.onItem?.(item, outcome);
    if (progress.done % SYNC_EVERY === 0) await syncVectorIndex(options.deps.prisma, options.index);
    options.onProgress?.({ ...progress });
  }
  await syncVectorIndex(options.deps.prisma, options.index);
  const seconds = (Date.now() - started) / 1000;
  return { ...progress, imagesPerSecond: progress.done / Math.max(seconds, 1e-3), seconds, setAsideItems };
}
