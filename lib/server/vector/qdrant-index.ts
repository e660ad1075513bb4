import 'server-only';
import { QdrantClient, QdrantClientResourceExhaustedError, QdrantClientTimeoutError, QdrantClientUnexpectedResponseError } from '@qdrant/js-client-rest';
import {
  assertCollectionSpec,
  assertModelId,
  assertWatchlistId,
  normaliseIds,
  normalisePoints,
  normaliseSearchQuery,
  toCollectionName,
} from '@/lib/server/vector/validate-vector';
import {
  VectorIndexError,
  type CollectionSpec,
  type SearchQuery,
  type VectorHit,
  type VectorIndex,
  type VectorPayload,
  type VectorPoint,
} from '@/lib/server/vector/vector-index';

export type QdrantIndexOptions = {
  url: string;
  apiKey?: string;
  shards: number;
  replicationFactor: number;
  /**
   * Full scan over the int8 vectors with float32 re-scoring (the default, matching the embedded index's
   * "an approximate miss is a missed lead"), or HNSW for galleries too large to scan per query.
   */
  searchMode?: 'exact' | 'hnsw';
  /** How many extra candidates the int8 pass keeps for float32 re-scoring, as a multiple of limit. */
  oversampling?: number;
  hnswEf?: number;
  timeoutMs?: number;
};

const WATCHLIST_FIELD = 'watchlistId';
const UPSERT_BATCH = 256;
const SCROLL_PAGE = 1000;

/**
 * The same VectorIndex on a Qdrant cluster: one collection per model id, cosine distance, a keyword
 * payload index on the watch-list id (every search is filtered by it), int8 scalar quantisation kept in
 * RAM with re-scoring on the original vectors, and `wait: true` on every write so that "indexed" in the
 * database means searchable.
 */
export class QdrantVectorIndex implements VectorIndex {
  readonly engine = 'qdrant' as const;
  private readonly client: QdrantClient;
  private readonly dimensions = new Map<string, number>();

  constructor(private readonly options: QdrantIndexOptions) {
    this.client = new QdrantClient({
      url: options.url,
      apiKey: options.apiKey,
      timeout: options.timeoutMs ?? 30_000,
      // The version check logs to the console from a background request; health() reports the version.
      checkCompatibility: false,
    });
  }

  async ensureCollection(spec: CollectionSpec): Promise<void> {
    assertCollectionSpec(spec);
    const name = toCollectionName(spec.modelId);
    const { exists } = await this.call(() => this.client.collectionExists(name), spec.modelId);
    let createError: unknown;
    if (!exists) {
      try {
        await this.call(
          () =>
            this.client.createCollection(name, {
              vectors: { size: spec.dimension, distance: 'Cosine' },
              shard_number: this.options.shards,
              replication_factor: this.options.replicationFactor,
              quantization_config: { scalar: { type: 'int8', quantile: 0.99, always_ram: true } },
            }),
          spec.modelId,
        );
      } catch (error) {
        // Another process may have created it in between; the checks below decide whether that is fine.
        if (!(error instanceof VectorIndexError) || error.reason === 'UNAVAILABLE') throw error;
        createError = error;
      }
    }
    const info = await this.call(() => this.client.getCollection(name), spec.modelId).catch((error: unknown) => {
      throw createError ?? error;
    });
    const vectors = info.config.params.vectors;
    const size = vectors && 'size' in vectors && typeof vectors.size === 'number' ? vectors.size : undefined;
    const distance = vectors && 'distance' in vectors ? vectors.distance : undefined;
    if (size !== spec.dimension) {
      throw new VectorIndexError(
        'DIMENSION_MISMATCH',
        `Qdrant collection ${name} for model ${spec.modelId} has vector size ${String(size)}, not ${spec.dimension}; it will not be overwritten`,
      );
    }
    if (distance !== 'Cosine') {
      throw new VectorIndexError('CORRUPT_STORE', `Qdrant collection ${name} uses ${String(distance)} distance, not Cosine`);
    }
    if (!info.payload_schema[WATCHLIST_FIELD]) {
      await this.call(
        () => this.client.createPayloadIndex(name, { field_name: WATCHLIST_FIELD, field_schema: 'keyword', wait: true }),
        spec.modelId,
      );
    }
    this.dimensions.set(spec.modelId, spec.dimension);
  }

  async upsert(modelId: string, points: VectorPoint[]): Promise<void> {
    const dimension = await this.dimensionOf(modelId);
    const normalised = normalisePoints(points, dimension);
    const name = toCollectionName(modelId);
    for (let start = 0; start < normalised.length; start += UPSERT_BATCH) {
      const batch = normalised.slice(start, start + UPSERT_BATCH).map((point) => ({
        id: point.id,
        vector: Array.from(point.vector),
        payload: { ...point.payload },
      }));
      await this.call(() => this.client.upsert(name, { wait: true, points: batch }), modelId);
    }
  }

  async deleteByIds(modelId: string, ids: string[]): Promise<void> {
    assertModelId(modelId);
    const wanted = normaliseIds(ids);
    if (wanted.length === 0) return;
    await this.call(() => this.client.delete(toCollectionName(modelId), { wait: true, points: wanted }), modelId);
  }

  async deleteByWatchlist(modelId: string, watchlistId: string): Promise<void> {
    assertModelId(modelId);
    assertWatchlistId(watchlistId);
    await this.call(
      () => this.client.delete(toCollectionName(modelId), { wait: true, filter: watchlistFilter([watchlistId]) }),
      modelId,
    );
  }

  async search(modelId: string, query: SearchQuery): Promise<VectorHit[]> {
    const dimension = await this.dimensionOf(modelId);
    const normalised = normaliseSearchQuery(query, dimension);
    if (normalised.watchlistIds.length === 0) return [];
    const exact = (this.options.searchMode ?? 'exact') === 'exact';
    const response = await this.call(
      () =>
        this.client.query(toCollectionName(modelId), {
          query: Array.from(normalised.vector),
          limit: normalised.limit,
          filter: watchlistFilter(normalised.watchlistIds),
          score_threshold: normalised.minScore,
          with_payload: true,
          with_vector: false,
          params: {
            exact,
            hnsw_ef: exact ? undefined : (this.options.hnswEf ?? 256),
            quantization: { rescore: true, oversampling: this.options.oversampling ?? 2 },
          },
        }),
      modelId,
    );
    return response.points.map((point) => ({ id: String(point.id), score: point.score, payload: toPayload(point.payload) }));
  }

  async count(modelId: string, filter?: { watchlistIds?: string[] }): Promise<number> {
    assertModelId(modelId);
    filter?.watchlistIds?.forEach(assertWatchlistId);
    if (filter?.watchlistIds && filter.watchlistIds.length === 0) return 0;
    const result = await this.call(
      () =>
        this.client.count(toCollectionName(modelId), {
          exact: true,
          filter: filter?.watchlistIds ? watchlistFilter(filter.watchlistIds) : undefined,
        }),
      modelId,
    );
    return result.count;
  }

  async listIds(modelId: string): Promise<string[]> {
    assertModelId(modelId);
    const ids: string[] = [];
    let offset: string | number | undefined;
    do {
      const page = await this.call(
        () => this.client.scroll(toCollectionName(modelId), { limit: SCROLL_PAGE, offset, with_payload: false, with_vector: false }),
        modelId,
      );
      for (const point of page.points) ids.push(String(point.id));
      const next = page.next_page_offset;
      offset = typeof next === 'string' || typeof next === 'number' ? next : undefined;
    } while (offset !== undefined);
    return ids;
  }

  async health(): Promise<{ ok: boolean; detail: string }> {
    try {
      const info = await this.call(() => this.client.versionInfo(), undefined);
      return { ok: true, detail: `Qdrant ${info.version} at ${this.options.url}` };
    } catch (error) {
      return { ok: false, detail: `Qdrant at ${this.options.url} unavailable: ${error instanceof Error ? error.message : String(error)}` };
    }
  }

  async close(): Promise<void> {
    this.dimensions.clear();
  }

  private async dimensionOf(modelId: string): Promise<number> {
    assertModelId(modelId);
    const cached = this.dimensions.get(modelId);
    if (cached !== undefined) return cached;
    const info = await this.call(() => this.client.getCollection(toCollectionName(modelId)), modelId);
    const vectors = info.config.params.vectors;
    const size = vectors && 'size' in vectors && typeof vectors.size === 'number' ? vectors.size : undefined;
    if (size === undefined) throw new VectorIndexError('CORRUPT_STORE', `Qdrant collection for ${modelId} has no single vector config`);
    this.dimensions.set(modelId, size);
    return size;
  }

  /** Maps transport and HTTP failures onto the interface's typed errors. */
  private async call<T>(request: () => Promise<T>, modelId: string | undefined): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw toVectorIndexError(error, modelId);
    }
  }
}

export function watchlistFilter(watchlistIds: string[]) {
  return {
    must: [
      watchlistIds.length === 1
        ? { key: WATCHLIST_FIELD, match: { value: watchlistIds[0]! } }
        : { key: WATCHLIST_FIELD, match: { any: watchlistIds } },
    ],
  };
}

export function toVectorIndexError(error: unknown, modelId: string | undefined): VectorIndexError {
  if (error instanceof VectorIndexError) return error;
  const status = httpStatusOf(error);
  const message = error instanceof Error ? error.message : String(error);
  if (status === 404) {
    return new VectorIndexError('UNKNOWN_COLLECTION', `no Qdrant collection for model ${modelId ?? '?'}`, { cause: error });
  }
  if (status === 400 || status === 409 || status === 422) {
    return new VectorIndexError('INVALID_INPUT', `Qdrant refused the request (${status}): ${message}`, { cause: error });
  }
  if (
    status !== undefined ||
    error instanceof QdrantClientTimeoutError ||
    error instanceof QdrantClientResourceExhaustedError ||
    error instanceof TypeError // fetch failed: connection refused, DNS, TLS
  ) {
    return new VectorIndexError('UNAVAILABLE', `Qdrant unavailable: ${message}`, { cause: error });
  }
  return new VectorIndexError('UNAVAILABLE', `Qdrant request failed: ${message}`, { cause: error });
}

function httpStatusOf(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && typeof (error as { status?: unknown }).status === 'number') {
    return (error as { status: number }).status;
  }
  if (error instanceof QdrantClientUnexpectedResponseError) {
    const match = /Unexpected Response: (\d{3})/.exec(error.message);
    return match ? Number(match[1]) : undefined;
  }
  return undefined;
}

function toPayload(payload: Record<string, unknown> | null | undefined): VectorPayload {
  const value = payload ?? {};
  const text = (key: string): string => (typeof value[key] === 'string' ? (value[key] as string) : '');
  return {
    watchlistId: text('watchlistId'),
    subjectId: text('subjectId'),
    enrolledFaceId: text('enrolledFaceId'),
    expiresAt: typeof value.expiresAt === 'string' ? value.expiresAt : null,
  };
}
