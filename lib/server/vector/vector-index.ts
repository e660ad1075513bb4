import 'server-only';

/** What every stored face vector carries, so a search can be filtered and its hits traced to the database. */
export type VectorPayload = {
  watchlistId: string;
  subjectId: string;
  enrolledFaceId: string;
  /** ISO-8601 instant, or null when the watch-list keeps faces until reviewed. */
  expiresAt: string | null;
};

export type VectorPoint = {
  /** A UUID; also the database's `vectorPointId`, so the two stores can be reconciled id by id. */
  id: string;
  vector: Float32Array;
  payload: VectorPayload;
};

export type VectorHit = {
  id: string;
  /** Cosine similarity in [-1, 1]; higher is closer. Both engines return the exact float32 value. */
  score: number;
  payload: VectorPayload;
};

export type CollectionSpec = { modelId: string; dimension: number };

export type SearchQuery = {
  vector: Float32Array;
  limit: number;
  /** Only these watch-lists are searched; an empty list searches nothing (never "everything"). */
  watchlistIds: string[];
  minScore?: number;
  /**
   * Abandons the search: a queued scan is dropped, a running one in a scan worker is stopped, a Qdrant
   * request is cancelled. The search rejects with the signal's reason.
   */
  signal?: AbortSignal;
};

export type VectorEngine = 'embedded' | 'qdrant';

export interface VectorIndex {
  readonly engine: VectorEngine;
  /** Creates the collection for a model, or checks that the existing one has this dimension. Never overwrites. */
  ensureCollection(spec: CollectionSpec): Promise<void>;
  /** Idempotent by id: upserting the same point twice leaves one point. */
  upsert(modelId: string, points: VectorPoint[]): Promise<void>;
  deleteByIds(modelId: string, ids: string[]): Promise<void>;
  deleteByWatchlist(modelId: string, watchlistId: string): Promise<void>;
  /** Top `limit` hits by cosine similarity, best first, restricted to `watchlistIds`. */
  search(modelId: string, query: SearchQuery): Promise<VectorHit[]>;
  count(modelId: string, filter?: { watchlistIds?: string[] }): Promise<number>;
  /** Every point id in the collection, for reconciliation with the database. */
  listIds(modelId: string): Promise<string[]>;
  health(): Promise<{ ok: boolean; detail: string }>;
  close(): Promise<void>;
}

export const VECTOR_INDEX_ERROR_CODES = [
  'DIMENSION_MISMATCH',
  'INVALID_VECTOR',
  'INVALID_INPUT',
  'UNKNOWN_COLLECTION',
  'UNAVAILABLE',
  'CORRUPT_STORE',
] as const;
export type VectorIndexErrorCode = (typeof VECTOR_INDEX_ERROR_CODES)[number];

/**
 * A failure of the index itself: unreachable, damaged, locked by another process, or handed a vector
 * that no caller should ever have produced (inputs are validated long before they reach it).
 * Deliberately not an AppError: nothing the user did is being refused, so the action wrapper treats it
 * as unexpected. The user gets the generic message with an event id, the audit event records outcome
 * `error`, and the log has this error with its reason (never a "refused" that reads like a permission
 * problem, nor an internal file path shown in the browser). Code that can recover from one (reconcile,
 * the index sync after an enrolment) checks `isVectorIndexError(error, reason)`.
 */
export class VectorIndexError extends Error {
  constructor(
    readonly reason: VectorIndexErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`vector index ${reason}: ${message}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VectorIndexError';
  }
}

export function isVectorIndexError(error: unknown, reason?: VectorIndexErrorCode): error is VectorIndexError {
  return error instanceof VectorIndexError && (reason === undefined || error.reason === reason);
}
