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
 * The Qdrant servers this adapter works with: 1.10 or later (it searches through the Query API,
 * `POST /collections/{name}/points/query`, which 1.10 introduced, with its `consistency` parameter; the
 * collection-exists endpoint dates from 1.8, write `ordering` from earlier), within major version 1. Read
 * from the server's own OpenAPI documents (docs/redoc/v1.9.x … v1.19.x/openapi.json in qdrant/qdrant);
 * the client package is @qdrant/js-client-rest 1.19.0. The client's own check is turned off because it
 * only logs, from a background request, and demands a minor version within one of the client's; this
 * adapter checks once before its first request and refuses to work with a server outside the range.
 */
export const SUPPORTED_QDRANT_VERSIONS = { minimum: { major: 1, minor: 10, patch: 0 }, belowMajor: 2, text: '>= 1.10.0 and < 2.0.0' } as const;

export type QdrantVersion = { major: number; minor: number; patch: number };

/** "1.19.0", "v1.10.1", "1.12.0-dev" → its numbers; null when the server reports something else. */
export function parseQdrantVersion(text: unknown): QdrantVersion | null {
  if (typeof text !== 'string') return null;
  const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+].*)?$/.exec(text.trim());
  if (!match) return null;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3] ?? 0) };
}

/** Whether this adapter may use a server that reports `version`, and if not, a sentence saying why. */
export function checkQdrantVersion(version: unknown): { isSupported: true; version: QdrantVersion } | { isSupported: false; reason: string } {
  const parsed = parseQdrantVersion(version);
  const wanted = `this adapter supports Qdrant ${SUPPORTED_QDRANT_VERSIONS.text}`;
  if (!parsed) return { isSupported: false, reason: `the server reported version ${JSON.stringify(version)}, which is not a Qdrant version number; ${wanted}` };
  const { minimum, belowMajor } = SUPPORTED_QDRANT_VERSIONS;
  const isTooOld =
    parsed.major < minimum.major ||
    (parsed.major === minimum.major && (parsed.minor < minimum.minor || (parsed.minor === minimum.minor && parsed.patch < minimum.patch)));
  if (isTooOld) return { isSupported: false, reason: `the server is Qdrant ${String(version)}, older than this adapter needs (it searches through the Query API of 1.10); ${wanted}` };
  if (parsed.major >= belowMajor) return { isSupported: false, reason: `the server is Qdrant ${String(version)}, a major version this adapter has not been checked against; ${wanted}` };
  return { isSupported: true, version: parsed };
}

/**
 * Qdrant's own explanation of a failed request: the `status.error` of its error body
 * (`{"status":{"error":"Wrong input: …"},"time":…}`, ErrorResponse in its OpenAPI document). The client
 * throws an ApiError carrying the parsed body as `data` for a 4xx/5xx, and an
 * "Unexpected Response" error with the body's first 200 characters in its message for other statuses;
 * both are read here. Undefined when the failure carried no such body (a refused connection).
 */
export function qdrantErrorMessage(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const data = (error as { data?: unknown }).data;
  const fromBody = (body: unknown): string | undefined => {
    const status = typeof body === 'object' && body !== null ? (body as { status?: unknown }).status : undefined;
    if (typeof status === 'string' && status !== 'ok') return status;
    const message = typeof status === 'object' && status !== null ? (status as { error?: unknown }).error : undefined;
    return typeof message === 'string' && message.length > 0 ? message : undefined;
  };
  const direct = fromBody(data);
  if (direct) return direct;
  if (typeof data === 'string') {
    try {
      const parsed = fromBody(JSON.parse(data));
      if (parsed) return parsed;
    } catch {
      // not JSON: fall through to the message
    }
  }
  if (error instanceof QdrantClientUnexpectedResponseError) {
    // The body is quoted in the message, possibly cut short; the error string is its first field.
    const match = /"error":\s*"((?:[^"\\]|\\.)*)"/.exec(error.message);
    if (match) {
      try {
        return JSON.parse(`"${match[1]}"`) as string;
      } catch {
        return match[1];
      }
    }
  }
  return undefined;
}

/**
 * What a replicated collection guarantees, as read in Qdrant 1.19's source (lib/collection/src/shards/
 * replica_set/update.rs and execute_read_operation.rs), and what this adapter asks for:
 *
 * - Writes go with `wait: true` and `ordering: 'strong'`. An update is sent to every replica of the
 *   shard; with `wait` the call returns once they have applied it, and a replica that failed is first
 *   deactivated (the call waits for that, or fails with "Consistency of this update is not
 *   guaranteed"), so no replica that still answers reads lacks an acknowledged write. `strong` sends
 *   every write through the shard's permanent leader under one lock, so all replicas apply an
 *   enrolment, an erasure and a move between watch-lists in the same order; the default `weak` may
 *   reorder them per replica. The price: writes fail while that leader is down. They are retried: a face
 *   stays `pending` / `deleting` in the database until the index took the change (sync-vector-index.ts).
 * - Searches and id listings go with `consistency: 'majority'`: every active replica is asked and a
 *   point is returned when a majority of them return it (ResolveCondition::Majority). Not `all` or
 *   `quorum`: in the code both keep only points present in EVERY replica asked (quorum asks N/2+1), so one
 *   lagging replica would hide a face just marked indexed, exactly what must not happen. (The OpenAPI
 *   description of `majority` and `quorum` reads the other way round; the code decides.) Replicas are
 *   compared point by point including the score, which is why a replicated search must be `exact` (the
 *   default): exact scores are computed from the same stored vectors on every replica, while HNSW results
 *   differ per replica's graph and would be out-voted.
 * - `count` takes no consistency here (the 1.19 client does not pass it; the server has accepted it
 *   since 1.16); no decision depends on it: the database counts the gallery for a search.
 *
 * Verified against a running server: nothing. No Qdrant server can be installed on this machine; the
 * contract suite (tests/integration/vector/vector-index-contract.test.ts) runs against one when
 * QDRANT_URL is set, and says it skipped otherwise. What can be tested without a server (the version
 * check, error extraction, the parameters sent) is tested against a local HTTP server that answers in
 * Qdrant's documented shapes (tests/unit/vector/qdrant-http-shapes.test.ts): a test of this adapter's
 * HTTP handling, not of Qdrant.
 */
const WRITE_ORDERING = 'strong' as const;
const READ_CONSISTENCY = 'majority' as const;

/**
 * The same VectorIndex on a Qdrant cluster: one collection per model id, cosine distance, a keyword
 * payload index on the watch-list id (every search is filtered by it), int8 scalar quantisation kept in
 * RAM with re-scoring on the original vectors, and `wait: true` on every write so that "indexed" in the
 * database means searchable.
 *
 * `exact: true` with int8 quantisation enabled (read in lib/segment/src/index/vector_index_search_common.rs,
 * `is_quantized_search`): an exact search does not use the quantised vectors at all; every point that
 * passes the filter is scored on its original float32 vector, so oversampling and rescoring do not come
 * into it and the result is the float32 top k, as the embedded index returns. The contract suite tests
 * that on a collection with int8 quantisation and scores close enough to fool an int8 ranking.
 */
export class QdrantVectorIndex implements VectorIndex {
  readonly engine = 'qdrant' as const;
  private readonly client: QdrantClient;
  private readonly dimensions = new Map<string, number>();
  private versionChecked: Promise<void> | null = null;

  constructor(private readonly options: QdrantIndexOptions) {
    this.client = new QdrantClient({
      url: options.url,
      apiKey: options.apiKey,
      timeout: options.timeoutMs ?? 30_000,
      // The client's check only logs, from a background request; see SUPPORTED_QDRANT_VERSIONS.
      checkCompatibility: false,
    });
  }

  async ensureCollection(spec: CollectionSpec): Promise<void> {
    assertCollectionSpec(spec);
    await this.checkServerVersion();
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
      await this.call(() => this.client.upsert(name, { wait: true, ordering: WRITE_ORDERING, points: batch }), modelId);
    }
  }

  async deleteByIds(modelId: string, ids: string[]): Promise<void> {
    assertModelId(modelId);
    const wanted = normaliseIds(ids);
    if (wanted.length === 0) return;
    await this.checkServerVersion();
    await this.call(() => this.client.delete(toCollectionName(modelId), { wait: true, ordering: WRITE_ORDERING, points: wanted }), modelId);
  }

  async deleteByWatchlist(modelId: string, watchlistId: string): Promise<void> {
    assertModelId(modelId);
    assertWatchlistId(watchlistId);
    await this.checkServerVersion();
    await this.call(
      () => this.client.delete(toCollectionName(modelId), { wait: true, ordering: WRITE_ORDERING, filter: watchlistFilter([watchlistId]) }),
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
          consistency: READ_CONSISTENCY,
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
    await this.checkServerVersion();
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
    await this.checkServerVersion();
    const ids: string[] = [];
    let offset: string | number | undefined;
    do {
      const page = await this.call(
        () =>
          this.client.scroll(toCollectionName(modelId), { consistency: READ_CONSISTENCY, limit: SCROLL_PAGE, offset, with_payload: false, with_vector: false }),
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
      const check = checkQdrantVersion(info.version);
      if (!check.isSupported) return { ok: false, detail: `Qdrant at ${this.options.url} cannot be used: ${check.reason}` };
      return { ok: true, detail: `Qdrant ${info.version} at ${this.options.url} (supported: ${SUPPORTED_QDRANT_VERSIONS.text})` };
    } catch (error) {
      return { ok: false, detail: `Qdrant at ${this.options.url} unavailable: ${error instanceof Error ? error.message : String(error)}` };
    }
  }

  async close(): Promise<void> {
    this.dimensions.clear();
  }

  /**
   * Asks the server its version before the first request that uses it, and refuses one outside
   * SUPPORTED_QDRANT_VERSIONS. A success is remembered; a failure (unreachable, unsupported) is asked
   * again next time, so a server that comes up or is upgraded is taken without a restart.
   */
  private checkServerVersion(): Promise<void> {
    this.versionChecked ??= (async () => {
      const info = await this.call(() => this.client.versionInfo(), undefined);
      const check = checkQdrantVersion(info.version);
      if (!check.isSupported) throw new VectorIndexError('UNAVAILABLE', `Qdrant at ${this.options.url} cannot be used: ${check.reason}`);
    })();
    this.versionChecked.catch(() => {
      this.versionChecked = null;
    });
    return this.versionChecked;
  }

  private async dimensionOf(modelId: string): Promise<number> {
    assertModelId(modelId);
    await this.checkServerVersion();
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
  // Qdrant's own words where the response carried them ("Wrong input: Vector dimension error: …"),
  // not the bare status text the client puts in its message ("Bad Request").
  const message = qdrantErrorMessage(error) ?? (error instanceof Error ? error.message : String(error));
  if (status === 404) {
    return new VectorIndexError('UNKNOWN_COLLECTION', `no Qdrant collection for model ${modelId ?? '?'}: ${message}`, { cause: error });
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
    return new VectorIndexError('UNAVAILABLE', `Qdrant unavailable${status !== undefined ? ` (${status})` : ''}: ${message}`, { cause: error });
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
