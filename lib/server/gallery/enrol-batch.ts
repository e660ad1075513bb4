import 'server-only';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { PrismaClient } from '@/lib/server/generated/prisma/client';
import type { VectorIndex } from '@/lib/server/vector/vector-index';
import type { ActionResult, ErrorCode } from '@/lib/shared/errors';
import type { EnrolmentOutcome } from './enrol-image';
import { syncVectorIndex } from './sync-vector-index';

export type EnrolmentItem = { path: string; subject: string };
/** What happened to one file: the action's outcome, or why it was refused (nothing recorded but the refusal's audit event). */
export type BatchItemOutcome = EnrolmentOutcome | { status: 'refused'; code: ErrorCode | 'UNREADABLE_FILE'; message: string };
export type BatchProgress = { done: number; total: number; enrolled: number; duplicate: number; setAside: number; refused: number; imagesPerSecond: number };
export type BatchSummary = BatchProgress & {
  seconds: number;
  setAsideItems: { path: string; reason: string; message: string }[];
  refusedItems: { path: string; code: string; message: string }[];
};

/** The wrapped enrolment action (`defineAction(enrolImageSpec)` or the like), as the web upload calls it. */
export type EnrolImageAction = (input: { watchlistId: string; subjectReference: string; fileName: string; file: Blob }) => Promise<ActionResult<EnrolmentOutcome>>;

// The index is brought up to date every so many images, so an interrupted run loses little work and
// searches started meanwhile already see most of what was enrolled.
const SYNC_EVERY = 64;

// Refusals that no later image can escape (the actor, the list, the audit store): the run stops at
// the first rather than refusing every image in turn. Anything else refuses that image only.
const FATAL_CODES: ReadonlySet<string> = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'UNAVAILABLE', 'AUDIT_UNAVAILABLE']);

export class BatchStoppedError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly summary: BatchSummary,
  ) {
    super(message);
    this.name = 'BatchStoppedError';
  }
}

/**
 * Enrols files one by one through the enrolment action, exactly as if each had been uploaded on the
 * admin page by the same actor. Resumable: what is already enrolled or set aside is skipped by the
 * action itself. A file that cannot be read, or that the action refuses (not an image, too large), is
 * reported and the run goes on; a rerun tries it again.
 */
export async function enrolBatch(options: {
  enrol: EnrolImageAction;
  prisma: PrismaClient;
  index: VectorIndex;
  watchlistId: string;
  items: EnrolmentItem[];
  onItem?: (item: EnrolmentItem, outcome: BatchItemOutcome) => void;
  onProgress?: (progress: BatchProgress) => void;
}): Promise<BatchSummary> {
  const started = Date.now();
  const progress: BatchProgress = { done: 0, total: options.items.length, enrolled: 0, duplicate: 0, setAside: 0, refused: 0, imagesPerSecond: 0 };
  const setAsideItems: BatchSummary['setAsideItems'] = [];
  const refusedItems: BatchSummary['refusedItems'] = [];
  const summarise = (): BatchSummary => {
    const seconds = (Date.now() - started) / 1000;
    return { ...progress, imagesPerSecond: progress.done / Math.max(seconds, 1e-3), seconds, setAsideItems, refusedItems };
  };
  for (const item of options.items) {
    const outcome = await enrolFile(options.enrol, options.watchlistId, item);
    if (outcome.status === 'refused' && FATAL_CODES.has(outcome.code)) {
      await syncVectorIndex(options.prisma, options.index);
      throw new BatchStoppedError(outcome.code, `${item.path}: ${outcome.message} (${outcome.code}); the run was stopped.`, summarise());
    }
    if (outcome.status === 'enrolled') progress.enrolled += 1;
    else if (outcome.status === 'duplicate') progress.duplicate += 1;
    else if (outcome.status === 'set_aside') {
      progress.setAside += 1;
      setAsideItems.push({ path: item.path, reason: outcome.reason, message: outcome.message });
    } else {
      progress.refused += 1;
      refusedItems.push({ path: item.path, code: outcome.code, message: outcome.message });
    }
    progress.done += 1;
    progress.imagesPerSecond = progress.done / Math.max((Date.now() - started) / 1000, 1e-3);
    options.onItem?.(item, outcome);
    if (progress.done % SYNC_EVERY === 0) await syncVectorIndex(options.prisma, options.index);
    options.onProgress?.({ ...progress });
  }
  await syncVectorIndex(options.prisma, options.index);
  return summarise();
}

async function enrolFile(enrol: EnrolImageAction, watchlistId: string, item: EnrolmentItem): Promise<BatchItemOutcome> {
  let bytes: Buffer;
  try {
    bytes = await readFile(item.path);
  } catch (error) {
    // A file that vanished or cannot be read: nothing was attempted, so nothing is audited.
    return { status: 'refused', code: 'UNREADABLE_FILE', message: (error as Error).message };
  }
  const result = await enrol({ watchlistId, subjectReference: item.subject, fileName: item.path, file: new File([new Uint8Array(bytes)], basename(item.path)) });
  return result.ok ? result.data : { status: 'refused', code: result.error.code, message: describeRefusal(result.error) };
}

function describeRefusal(error: { message: string; fieldErrors?: Record<string, string[]> }): string {
  const fields = Object.values(error.fieldErrors ?? {}).flat();
  return fields.length > 0 ? fields.join('; ') : error.message;
}
