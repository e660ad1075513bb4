import 'server-only';
import { createHash } from 'node:crypto';
import {
  VectorIndexError,
  type CollectionSpec,
  type SearchQuery,
  type VectorPayload,
  type VectorPoint,
} from '@/lib/server/vector/vector-index';

// Both engines accept exactly the same inputs, so a gallery can move from the embedded index to Qdrant
// without data that one of them would have refused. Qdrant only takes UUIDs or integers as point ids.
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_DIMENSION = 4096;
const MAX_PAYLOAD_STRING = 512;
export const MAX_SEARCH_LIMIT = 1000;

export function assertCollectionSpec(spec: CollectionSpec): void {
  assertModelId(spec.modelId);
  if (!Number.isInteger(spec.dimension) || spec.dimension < 1 || spec.dimension > MAX_DIMENSION) {
    throw new VectorIndexError('INVALID_INPUT', `dimension must be an integer in 1..${MAX_DIMENSION}, got ${spec.dimension}`);
  }
}

export function assertModelId(modelId: string): void {
  if (typeof modelId !== 'string' || modelId.length === 0 || modelId.length > 200) {
    throw new VectorIndexError('INVALID_INPUT', 'modelId must be a non-empty string of at most 200 characters');
  }
}

/**
 * Checks a vector and returns a unit-length float32 copy in its own buffer (offset 0, which the native
 * scan relies on). NaN, infinities and the zero vector are refused rather than normalised: they come
 * from a broken model or a tampered request, and would otherwise rank as arbitrary matches.
 */
export function normaliseVector(vector: unknown, dimension: number, label = 'vector'): Float32Array {
  if (!(vector instanceof Float32Array)) {
    throw new VectorIndexError('INVALID_VECTOR', `${label} must be a Float32Array`);
  }
  if (vector.length !== dimension) {
    throw new VectorIndexError('INVALID_VECTOR', `${label} has dimension ${vector.length}, the collection has ${dimension}`);
  }
  let sumOfSquares = 0;
  for (let i = 0; i < dimension; i++) {
    const value = vector[i]!;
    if (!Number.isFinite(value)) {
      throw new VectorIndexError('INVALID_VECTOR', `${label} has a non-finite value at position ${i}`);
    }
    sumOfSquares += value * value;
  }
  const norm = Math.sqrt(sumOfSquares);
  if (!(norm > 1e-12) || !Number.isFinite(norm)) {
    throw new VectorIndexError('INVALID_VECTOR', `${label} has zero (or unrepresentable) length`);
  }
  const unit = new Float32Array(dimension);
  for (let i = 0; i < dimension; i++) unit[i] = vector[i]! / norm;
  return unit;
}

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_PATTERN.test(value);
}

export function assertPayload(payload: VectorPayload, label: string): void {
  if (payload === null || typeof payload !== 'object') {
    throw new VectorIndexError('INVALID_INPUT', `${label}: payload is missing`);
  }
  for (const key of ['watchlistId', 'subjectId', 'enrolledFaceId'] as const) {
    const value = payload[key];
    if (typeof value !== 'string' || value.length === 0 || value.length > MAX_PAYLOAD_STRING) {
      throw new VectorIndexError('INVALID_INPUT', `${label}: payload.${key} must be a non-empty string of at most ${MAX_PAYLOAD_STRING} characters`);
    }
  }
  const { expiresAt } = payload;
  if (expiresAt !== null && (typeof expiresAt !== 'string' || Number.isNaN(Date.parse(expiresAt)))) {
    throw new VectorIndexError('INVALID_INPUT', `${label}: payload.expiresAt must be an ISO date string or null`);
  }
}

export type NormalisedPoint = { id: string; vector: Float32Array; payload: VectorPayload };

/** Validates a whole batch before anything is written, so a bad point never leaves half a batch stored. */
export function normalisePoints(points: VectorPoint[], dimension: number): NormalisedPoint[] {
  if (!Array.isArray(points)) throw new VectorIndexError('INVALID_INPUT', 'points must be an array');
  const seen = new Set<string>();
  return points.map((point, index) => {
    const label = `point ${index}`;
    if (!isUuid(point?.id)) throw new VectorIndexError('INVALID_INPUT', `${label}: id must be a UUID`);
    const id = point.id.toLowerCase();
    // Two versions of one id in a batch would make the stored result depend on engine internals.
    if (seen.has(id)) throw new VectorIndexError('INVALID_INPUT', `${label}: id ${id} appears twice in one upsert`);
    seen.add(id);
    assertPayload(point.payload, label);
    const { watchlistId, subjectId, enrolledFaceId, expiresAt } = point.payload;
    return {
      id,
      vector: normaliseVector(point.vector, dimension, `${label} vector`),
      payload: { watchlistId, subjectId, enrolledFaceId, expiresAt: expiresAt ?? null },
    };
  });
}

export function normaliseIds(ids: string[]): string[] {
  if (!Array.isArray(ids)) throw new VectorIndexError('INVALID_INPUT', 'ids must be an array');
  return ids.map((id, index) => {
    if (!isUuid(id)) throw new VectorIndexError('INVALID_INPUT', `id ${index} must be a UUID`);
    return id.toLowerCase();
  });
}

export function assertWatchlistId(watchlistId: string): void {
  if (typeof watchlistId !== 'string' || watchlistId.length === 0 || watchlistId.length > MAX_PAYLOAD_STRING) {
    throw new VectorIndexError('INVALID_INPUT', 'watchlistId must be a non-empty string');
  }
}

export type NormalisedQuery = { vector: Float32Array; limit: number; watchlistIds: string[]; minScore: number | undefined };

export function normaliseSearchQuery(query: SearchQuery, dimension: number): NormalisedQuery {
  if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > MAX_SEARCH_LIMIT) {
    throw new VectorIndexError('INVALID_INPUT', `limit must be an integer in 1..${MAX_SEARCH_LIMIT}`);
  }
  if (!Array.isArray(query.watchlistIds)) throw new VectorIndexError('INVALID_INPUT', 'watchlistIds must be an array');
  query.watchlistIds.forEach(assertWatchlistId);
  if (query.minScore !== undefined && (!Number.isFinite(query.minScore) || query.minScore < -1 || query.minScore > 1)) {
    throw new VectorIndexError('INVALID_INPUT', 'minScore must be a number in [-1, 1]');
  }
  return {
    vector: normaliseVector(query.vector, dimension, 'query vector'),
    limit: query.limit,
    watchlistIds: [...new Set(query.watchlistIds)],
    minScore: query.minScore,
  };
}

/** A readable, filesystem- and Qdrant-safe name for a model id, unique because it ends in a hash. */
export function toCollectionName(modelId: string): string {
  const hash = createHash('sha256').update(modelId).digest('hex');
  const slug = modelId
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48);
  return `faces-${slug || 'model'}-${hash.slice(0, 12)}`;
}
