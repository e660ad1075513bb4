import 'server-only';
import { createHash, randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { access, link, mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { OWNER_ONLY_DIRECTORY, OWNER_ONLY_FILE } from '@/lib/server/storage/owner-only';
import { acquireProcessLock, LockHeldError, type ProcessLock } from '@/lib/server/storage/process-lock';
import { quantiseQuery, quantiseRowInt8, scanExact, type ScanCandidate } from '@/lib/server/vector/exact-scan';
import { ScanPool, type SharedScanBlock } from '@/lib/server/vector/scan-pool';
import {
  SegmentLog,
  encodeLogUpsert,
  isMissing,
  readLog,
  readSnapshot,
  removeFile,
  rowToPayload,
  syncDirectory,
  writeSnapshot,
  type SegmentRow,
  type StoredBlock,
} from '@/lib/server/vector/segment-file';
import {
  assertCollectionSpec,
  assertModelId,
  assertWatchlistId,
  normaliseIds,
  normalisePoints,
  normaliseSearchQuery,
  toCollectionName,
  type NormalisedPoint,
} from '@/lib/server/vector/validate-vector';
import {
  VectorIndexError,
  type CollectionSpec,
  type SearchQuery,
  type VectorHit,
  type VectorIndex,
  type VectorPoint,
} from '@/lib/server/vector/vector-index';

export type EmbeddedIndexOptions = {
  /** Folder that holds one sub-folder per model collection, normally `<dataDir>/vectors`. */
  directory: string;
  /** Native threads per search; 1 keeps a search on one core next to the web server. */
  threads?: number;
  /**
   * Worker threads that run the scans (scan-pool.ts), so a long scan never holds the event loop; 0 scans
   * in the calling thread. The server and the CLI take VECTOR_SCAN_WORKERS (get-vector-index.ts).
   */
  scanWorkers?: number;
  /** The scan worker script; tests pass a fixture. */
  scanWorkerFile?: string;
  /** The upsert log is folded into the snapshot once it reaches max(this, snapshot size). */
  compactLogBytes?: number;
};

const COLLECTION_FILE = 'collection.json';
const LOCK_FILE = '.owner.lock';
const DEFAULT_COMPACT_LOG_BYTES = 64 * 1024 * 1024;
const INITIAL_BLOCK_ROWS = 64;
const CLOSE_COMPACT_MIN_BYTES = 1024 * 1024;

type Block = SharedScanBlock & { capacity: number };

/**
 * Where a segment's blocks come from. With a scan pool they live in SharedArrayBuffers, which the
 * workers read in place; every allocation gets an id and every write moves its version on, and a freed
 * allocation is retired so the workers drop their int8 copies of it.
 */
type BlockMemory = { shared: boolean; retire: (bufferId: number) => void };

let lastBufferId = 0;

function allocateBlock(memory: BlockMemory, capacity: number, dimension: number): Pick<Block, 'f32' | 'i8' | 'bufferId' | 'version'> {
  const values = capacity * dimension;
  return {
    f32: memory.shared ? new Float32Array(new SharedArrayBuffer(values * 4)) : new Float32Array(values),
    i8: memory.shared ? new Int8Array(new SharedArrayBuffer(values)) : new Int8Array(values),
    bufferId: ++lastBufferId,
    version: 0,
  };
}

/** One watch-list's vectors: rows in fixed-size blocks, so growth never copies a whole gallery. */
class Segment {
  readonly rows: SegmentRow[] = [];
  readonly rowById = new Map<string, number>();
  readonly blocks: Block[] = [];
  snapshotGeneration = 0;
  snapshotBytes = 0;
  log: SegmentLog | null = null;

  constructor(
    readonly watchlistId: string,
    readonly stem: string,
    readonly dimension: number,
    readonly blockShift: number,
    private readonly memory: BlockMemory,
  ) {}

  get size(): number {
    return this.rows.length;
  }

  get blockRows(): number {
    return 1 << this.blockShift;
  }

  locate(row: number): { block: Block; offset: number } {
    const block = this.blocks[row >> this.blockShift]!;
    return { block, offset: (row & (this.blockRows - 1)) * this.dimension };
  }

  isIdentical(row: number, point: NormalisedPoint): boolean {
    const stored = this.rows[row]!;
    if (
      stored.subjectId !== point.payload.subjectId ||
      stored.enrolledFaceId !== point.payload.enrolledFaceId ||
      stored.expiresAt !== point.payload.expiresAt
    ) {
      return false;
    }
    const { block, offset } = this.locate(row);
    for (let i = 0; i < this.dimension; i++) if (block.f32[offset + i] !== point.vector[i]) return false;
    return true;
  }

  /** Overwrites the row for this id, or appends one. `unit` must already be validated and normalised. */
  put(meta: SegmentRow, unit: Float32Array): void {
    let row = this.rowById.get(meta.id);
    if (row === undefined) {
      row = this.rows.length;
      this.ensureRow(row);
      this.rows.push(meta);
      this.rowById.set(meta.id, row);
    } else {
      this.rows[row] = meta;
    }
    const { block, offset } = this.locate(row);
    block.f32.set(unit, offset);
    const error = quantiseRowInt8(block.f32, offset, block.i8, offset, this.dimension);
    if (error > block.maxQuantError) block.maxQuantError = error;
    block.version++;
  }

  /** Moves the last row into the hole, so every block but the last stays full and scans stay dense. */
  remove(id: string): boolean {
    const row = this.rowById.get(id);
    if (row === undefined) return false;
    const last = this.rows.length - 1;
    const target = this.locate(row);
    const source = this.locate(last);
    if (row !== last) {
      target.block.f32.set(source.block.f32.subarray(source.offset, source.offset + this.dimension), target.offset);
      target.block.i8.set(source.block.i8.subarray(source.offset, source.offset + this.dimension), target.offset);
      // The moved row brings its quantisation error along; the block's bound must still cover it.
      target.block.maxQuantError = Math.max(target.block.maxQuantError, source.block.maxQuantError);
      target.block.version++;
      const moved = this.rows[last]!;
      this.rows[row] = moved;
      this.rowById.set(moved.id, row);
    }
    // Zero the vacated slot so the removed vector does not linger in memory either.
    source.block.f32.fill(0, source.offset, source.offset + this.dimension);
    source.block.i8.fill(0, source.offset, source.offset + this.dimension);
    this.rows.pop();
    this.rowById.delete(id);
    source.block.rows--;
    source.block.version++;
    if (source.block.rows === 0) {
      this.blocks.pop();
      this.memory.retire(source.block.bufferId);
    }
    return true;
  }

  /** Adopts the blocks read from a snapshot (all but the last full, as they were written). */
  adoptBlocks(stored: StoredBlock[]): void {
    for (const block of stored) {
      const rows = block.f32.length / this.dimension;
      this.blocks.push({ f32: block.f32, i8: block.i8, rows, capacity: rows, maxQuantError: block.maxQuantError, bufferId: ++lastBufferId, version: 0 });
    }
  }

  storedBlocks(): StoredBlock[] {
    return this.blocks.map((block) => ({
      f32: block.f32.subarray(0, block.rows * this.dimension),
      i8: block.i8.subarray(0, block.rows * this.dimension),
      maxQuantError: block.maxQuantError,
    }));
  }

  /** Every allocation this segment holds, for when it is dropped. */
  retireAll(): void {
    for (const block of this.blocks) this.memory.retire(block.bufferId);
  }

  /** Sizes blocks for rows about to arrive, so a large batch or log replay grows each block once. */
  reserve(totalRows: number): void {
    this.expectedRows = Math.max(this.expectedRows, totalRows);
  }

  private expectedRows = 0;

  private ensureRow(row: number): void {
    const blockIndex = row >> this.blockShift;
    // Rows this block should have room for: what is expected in it, at least double what it has.
    const wanted = (current: number) =>
      Math.min(this.blockRows, Math.max(current * 2, this.expectedRows - blockIndex * this.blockRows, INITIAL_BLOCK_ROWS));
    if (blockIndex === this.blocks.length) {
      const capacity = wanted(0);
      this.blocks.push({ ...allocateBlock(this.memory, capacity, this.dimension), rows: 0, capacity, maxQuantError: 0 });
    }
    const block = this.blocks[blockIndex]!;
    if (block.rows === block.capacity) {
      const capacity = wanted(block.capacity);
      const grown = allocateBlock(this.memory, capacity, this.dimension);
      grown.f32.set(block.f32.subarray(0, block.rows * this.dimension));
      grown.i8.set(block.i8.subarray(0, block.rows * this.dimension));
      this.memory.retire(block.bufferId);
      Object.assign(block, grown, { capacity });
    }
    block.rows++;
    block.version++;
  }
}

class Collection {
  readonly segments = new Map<string, Segment>();
  readonly segmentById = new Map<string, Segment>();
  private queue: Promise<unknown> = Promise.resolve();
  private readers = 0;
  private readersDrained: (() => void) | null = null;
  private changing: Promise<void> | null = null;

  constructor(
    readonly modelId: string,
    readonly dimension: number,
    readonly directory: string,
    readonly blockShift: number,
    readonly memory: BlockMemory,
  ) {}

  /**
   * Runs writes one after another. Searches do not wait for a write's file work (log append, fsync,
   * snapshot), only for its change to memory, which `change` confines to a short synchronous step.
   */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * A search's hold on memory. An in-thread scan is synchronous and cannot overlap a write; a scan in a
   * worker reads the shared blocks while this thread goes on, so a write's change to memory (a row
   * overwritten, the last row moved into a hole, a block regrown) waits until no scan is reading, and no
   * new scan starts while one is waiting: each search sees the gallery before or after a write, never
   * half of one, and maps its rows back to the ids they had when it scanned them.
   */
  async read<T>(task: () => Promise<T>): Promise<T> {
    while (this.changing) await this.changing;
    this.readers++;
    try {
      return await task();
    } finally {
      this.readers--;
      if (this.readers === 0) this.readersDrained?.();
    }
  }

  /** Applies a write's change to memory once no scan is reading it. Called only inside `exclusive`. */
  async change(apply: () => void): Promise<void> {
    let release!: () => void;
    this.changing = new Promise<void>((resolve) => (release = resolve));
    try {
      if (this.readers > 0) await new Promise<void>((resolve) => (this.readersDrained = resolve));
      this.readersDrained = null;
      apply();
    } finally {
      this.changing = null;
      release();
    }
  }

  async idle(): Promise<void> {
    await this.queue;
  }

  segmentFor(watchlistId: string): Segment {
    let segment = this.segments.get(watchlistId);
    if (!segment) {
      const stem = `wl-${createHash('sha256').update(watchlistId).digest('hex').slice(0, 32)}`;
      segment = new Segment(watchlistId, stem, this.dimension, this.blockShift, this.memory);
    }
    return segment;
  }

  get size(): number {
    let total = 0;
    for (const segment of this.segments.values()) total += segment.size;
    return total;
  }
}

/**
 * The default vector index: in the server process, exact, persisted under the data folder.
 * See exact-scan.ts for how search stays exact while scanning int8, and segment-file.ts for the files.
 */
export class EmbeddedVectorIndex implements VectorIndex {
  readonly engine = 'embedded' as const;
  private readonly directory: string;
  private readonly threads: number;
  private readonly compactLogBytes: number;
  private readonly collections = new Map<string, Promise<Collection | null>>();
  private readonly scanWorkers: number;
  private readonly scanWorkerFile: string | undefined;
  private readonly memory: BlockMemory;
  private pool: ScanPool | null = null;
  private opened: Promise<void> | null = null;
  private closed = false;
  private lock: ProcessLock | null = null;

  constructor(options: EmbeddedIndexOptions) {
    this.directory = resolve(options.directory);
    this.threads = options.threads ?? 1;
    this.compactLogBytes = options.compactLogBytes ?? DEFAULT_COMPACT_LOG_BYTES;
    this.scanWorkers = options.scanWorkers ?? 0;
    if (!Number.isInteger(this.scanWorkers) || this.scanWorkers < 0) throw new Error(`scanWorkers must be a non-negative integer, not ${options.scanWorkers}`);
    this.scanWorkerFile = options.scanWorkerFile;
    this.memory = { shared: this.scanWorkers > 0, retire: (bufferId) => this.pool?.retire(bufferId) };
  }

  /** Where searches are scanned: in this thread, or in a pool of this many worker threads. */
  get scanMode(): { workers: number } {
    return { workers: this.scanWorkers };
  }

  async ensureCollection(spec: CollectionSpec): Promise<void> {
    assertCollectionSpec(spec);
    const existing = await this.loadCollection(spec.modelId);
    if (existing) {
      if (existing.dimension !== spec.dimension) {
        throw new VectorIndexError(
          'DIMENSION_MISMATCH',
          `collection for model ${spec.modelId} has dimension ${existing.dimension}, not ${spec.dimension}; it will not be overwritten`,
        );
      }
      return;
    }
    const directory = this.collectionDirectory(spec.modelId);
    await mkdir(directory, { recursive: true, mode: OWNER_ONLY_DIRECTORY });
    const file = join(directory, COLLECTION_FILE);
    const temporary = `${file}.${process.pid}-${randomUUID()}.tmp`;
    await writeJsonDurably(temporary, { format: 1, modelId: spec.modelId, dimension: spec.dimension });
    try {
      // link() fails if the file exists, so two concurrent first calls cannot overwrite each other.
      await link(temporary, file);
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST') throw error;
    } finally {
      await rm(temporary, { force: true });
    }
    await syncDirectory(directory);
    this.collections.delete(spec.modelId);
    const created = await this.requireCollection(spec.modelId);
    if (created.dimension !== spec.dimension) {
      throw new VectorIndexError('DIMENSION_MISMATCH', `collection for model ${spec.modelId} was just created with dimension ${created.dimension}`);
    }
  }

  async upsert(modelId: string, points: VectorPoint[]): Promise<void> {
    const collection = await this.requireCollection(modelId);
    const normalised = normalisePoints(points, collection.dimension);
    if (normalised.length === 0) return;
    await collection.exclusive(async () => {
      this.assertOpen();
      const moves = new Map<Segment, string[]>();
      const byWatchlist = new Map<string, NormalisedPoint[]>();
      for (const point of normalised) {
        const current = collection.segmentById.get(point.id);
        if (current && current.watchlistId !== point.payload.watchlistId) {
          const ids = moves.get(current) ?? [];
          ids.push(point.id);
          moves.set(current, ids);
        } else if (current && current.isIdentical(current.rowById.get(point.id)!, point)) {
          continue;
        }
        const group = byWatchlist.get(point.payload.watchlistId) ?? [];
        group.push(point);
        byWatchlist.set(point.payload.watchlistId, group);
      }
      // Remove from the old watch-list first: a crash in between loses the point (the indexer retries,
      // reconcile repairs) rather than leaving it searchable in a watch-list it was moved out of.
      for (const [segment, ids] of moves) await this.removeFromSegment(collection, segment, ids);
      for (const [watchlistId, group] of byWatchlist) {
        const segment = collection.segmentFor(watchlistId);
        const log = await this.openLog(collection, segment);
        const rows = group.map((point) => toRow(point));
        await log.append(Buffer.concat(group.map((point, index) => encodeLogUpsert(rows[index]!, point.vector))));
        await collection.change(() => {
          collection.segments.set(watchlistId, segment);
          segment.reserve(segment.size + group.length);
          group.forEach((point, index) => {
            segment.put(rows[index]!, point.vector);
            collection.segmentById.set(point.id, segment);
          });
        });
        if (log.bytes >= Math.max(this.compactLogBytes, segment.snapshotBytes)) await this.compact(collection, segment);
      }
    });
  }

  async deleteByIds(modelId: string, ids: string[]): Promise<void> {
    const collection = await this.requireCollection(modelId);
    const wanted = normaliseIds(ids);
    await collection.exclusive(async () => {
      this.assertOpen();
      const bySegment = new Map<Segment, string[]>();
      for (const id of wanted) {
        const segment = collection.segmentById.get(id);
        if (!segment) continue;
        const segmentIds = bySegment.get(segment) ?? [];
        segmentIds.push(id);
        bySegment.set(segment, segmentIds);
      }
      for (const [segment, segmentIds] of bySegment) await this.removeFromSegment(collection, segment, segmentIds);
    });
  }

  async deleteByWatchlist(modelId: string, watchlistId: string): Promise<void> {
    assertWatchlistId(watchlistId);
    const collection = await this.requireCollection(modelId);
    await collection.exclusive(async () => {
      this.assertOpen();
      const segment = collection.segments.get(watchlistId);
      if (segment) await this.dropSegment(collection, segment);
    });
  }

  async search(modelId: string, query: SearchQuery): Promise<VectorHit[]> {
    query.signal?.throwIfAborted();
    const collection = await this.requireCollection(modelId);
    const normalised = normaliseSearchQuery(query, collection.dimension);
    return collection.read(async () => {
      const blocks: Block[] = [];
      const owners: { segment: Segment; firstRow: number }[] = [];
      for (const watchlistId of normalised.watchlistIds) {
        const segment = collection.segments.get(watchlistId);
        if (!segment) continue;
        segment.blocks.forEach((block, index) => {
          blocks.push(block);
          owners.push({ segment, firstRow: index << segment.blockShift });
        });
      }
      const scanQuery = quantiseQuery(normalised.vector);
      const options = { dimension: collection.dimension, limit: normalised.limit, minScore: normalised.minScore, threads: this.threads };
      let candidates: ScanCandidate[];
      if (this.scanWorkers === 0 || blocks.length === 0) {
        candidates = scanExact(blocks, scanQuery, options).candidates;
      } else {
        this.assertOpen();
        this.pool ??= new ScanPool({ size: this.scanWorkers, workerFile: this.scanWorkerFile });
        // Only what the worker reads crosses over; the shared buffers go by reference.
        const shared: SharedScanBlock[] = blocks.map((block) => ({
          f32: block.f32,
          i8: block.i8,
          rows: block.rows,
          maxQuantError: block.maxQuantError,
          bufferId: block.bufferId,
          version: block.version,
        }));
        candidates = (await this.pool.run({ blocks: shared, query: scanQuery, options }, query.signal)).candidates;
      }
      return candidates.map((candidate) => {
        const owner = owners[candidate.block]!;
        const row = owner.segment.rows[owner.firstRow + candidate.row]!;
        return { id: row.id, score: candidate.score, payload: rowToPayload(row, owner.segment.watchlistId) };
      });
    });
  }

  async count(modelId: string, filter?: { watchlistIds?: string[] }): Promise<number> {
    const collection = await this.requireCollection(modelId);
    if (!filter?.watchlistIds) return collection.size;
    filter.watchlistIds.forEach(assertWatchlistId);
    let total = 0;
    for (const watchlistId of new Set(filter.watchlistIds)) total += collection.segments.get(watchlistId)?.size ?? 0;
    return total;
  }

  async listIds(modelId: string): Promise<string[]> {
    const collection = await this.requireCollection(modelId);
    const ids: string[] = [];
    for (const segment of collection.segments.values()) for (const row of segment.rows) ids.push(row.id);
    return ids;
  }

  async health(): Promise<{ ok: boolean; detail: string }> {
    try {
      await this.open();
      await access(this.directory, constants.W_OK);
      let vectors = 0;
      let loaded = 0;
      for (const pending of this.collections.values()) {
        const collection = await pending.catch(() => null);
        if (collection) {
          loaded++;
          vectors += collection.size;
        }
      }
      return { ok: true, detail: `embedded exact index at ${this.directory}: ${loaded} collection(s) loaded, ${vectors} vectors` };
    } catch (error) {
      return { ok: false, detail: `embedded index unavailable: ${error instanceof Error ? error.message : String(error)}` };
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const pending of this.collections.values()) {
      const collection = await pending.catch(() => null);
      if (!collection) continue;
      await collection.exclusive(async () => {
        for (const segment of collection.segments.values()) {
          // Fold a sizeable log in now, on a clean shutdown, so the next start reads a snapshot instead
          // of replaying (and re-quantising) the log row by row.
          const log = segment.log;
          if (log && log.bytes > Math.max(CLOSE_COMPACT_MIN_BYTES, segment.snapshotBytes / 8)) {
            await this.compact(collection, segment).catch((error: unknown) => {
              console.warn(`[vector] compaction on close failed for ${collection.modelId}; the log will be replayed`, error);
            });
          }
          await segment.log?.close().catch(() => undefined);
          segment.log = null;
        }
      });
    }
    this.collections.clear();
    // After the writes above: a search still scanning finishes first, then the workers stop.
    await this.pool?.close();
    this.pool = null;
    if (this.opened) await this.opened.catch(() => undefined);
    this.lock?.release();
    this.lock = null;
  }

  /** Bytes held in memory for vectors (float32 rows plus their int8 copies), for benchmarks and health. */
  async memoryBytes(modelId: string): Promise<number> {
    const collection = await this.requireCollection(modelId);
    let bytes = 0;
    for (const segment of collection.segments.values()) {
      for (const block of segment.blocks) bytes += block.f32.byteLength + block.i8.byteLength;
    }
    return bytes;
  }

  // ---------- loading ----------

  /** A write queued behind close() must not reopen files after the lock has been released. */
  private assertOpen(): void {
    if (this.closed) throw new VectorIndexError('UNAVAILABLE', 'the embedded vector index has been closed');
  }

  private open(): Promise<void> {
    if (this.closed) return Promise.reject(new VectorIndexError('UNAVAILABLE', 'the embedded vector index has been closed'));
    this.opened ??= (async () => {
      await mkdir(this.directory, { recursive: true, mode: OWNER_ONLY_DIRECTORY });
      this.lock = acquireLock(this.directory);
    })();
    // A failed open (folder held by another process) must not stick: the next call tries again.
    this.opened.catch(() => {
      this.opened = null;
    });
    return this.opened;
  }

  private collectionDirectory(modelId: string): string {
    return join(this.directory, toCollectionName(modelId));
  }

  private async requireCollection(modelId: string): Promise<Collection> {
    assertModelId(modelId);
    const collection = await this.loadCollection(modelId);
    if (!collection) {
      throw new VectorIndexError('UNKNOWN_COLLECTION', `no vector collection for model ${modelId}; call ensureCollection first`);
    }
    return collection;
  }

  private loadCollection(modelId: string): Promise<Collection | null> {
    let pending = this.collections.get(modelId);
    if (!pending) {
      pending = this.open().then(() => this.readCollection(modelId));
      this.collections.set(modelId, pending);
      // Absent or failed loads are retried on the next call; only a loaded collection is cached.
      pending.then(
        (collection) => {
          if (!collection) this.collections.delete(modelId);
        },
        () => this.collections.delete(modelId),
      );
    }
    return pending;
  }

  private async readCollection(modelId: string): Promise<Collection | null> {
    const directory = this.collectionDirectory(modelId);
    let descriptor: { format: number; modelId: string; dimension: number };
    try {
      descriptor = JSON.parse(await readFile(join(directory, COLLECTION_FILE), 'utf8')) as typeof descriptor;
    } catch (error) {
      if (isMissing(error)) return null;
      throw new VectorIndexError('CORRUPT_STORE', `cannot read ${join(directory, COLLECTION_FILE)}`, { cause: error });
    }
    if (descriptor.modelId !== modelId) {
      throw new VectorIndexError('CORRUPT_STORE', `${directory} belongs to model ${descriptor.modelId}, not ${modelId}`);
    }
    const collection = new Collection(modelId, descriptor.dimension, directory, blockShiftFor(descriptor.dimension), this.memory);
    const stems = new Set<string>();
    for (const entry of await readdir(directory)) {
      const match = /^(wl-[0-9a-f]{32})\.(seg|log)$/.exec(entry);
      if (match) stems.add(match[1]!);
      else if (entry.endsWith('.tmp')) await removeFile(join(directory, entry)); // an interrupted snapshot write
    }
    const needsCompaction: Segment[] = [];
    for (const stem of [...stems].sort()) {
      const segment = await this.readSegment(collection, stem);
      if (!segment) continue;
      collection.segments.set(segment.watchlistId, segment);
      let duplicates = false;
      for (const row of [...segment.rows]) {
        if (collection.segmentById.has(row.id)) {
          // Should not happen (moves delete before they add); keep one copy and say so loudly.
          console.warn(`[vector] point ${row.id} found in two watch-lists of ${modelId}; keeping the first`);
          segment.remove(row.id);
          duplicates = true;
        } else {
          collection.segmentById.set(row.id, segment);
        }
      }
      if (duplicates || (segment.log && segment.log.bytes >= Math.max(this.compactLogBytes, segment.snapshotBytes))) {
        needsCompaction.push(segment);
      }
    }
    for (const segment of needsCompaction) {
      if (segment.size === 0) await this.dropSegment(collection, segment);
      else await this.compact(collection, segment);
    }
    return collection;
  }

  private async readSegment(collection: Collection, stem: string): Promise<Segment | null> {
    const snapshotPath = join(collection.directory, `${stem}.seg`);
    const logPath = join(collection.directory, `${stem}.log`);
    let snapshot = null;
    try {
      snapshot = await readSnapshot(snapshotPath, { dimension: collection.dimension, blockRows: 1 << collection.blockShift, shared: this.memory.shared });
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
    const log = await readLog(logPath, collection.dimension);
    const watchlistId = snapshot?.header.watchlistId ?? log?.header?.watchlistId;
    if (watchlistId === undefined) {
      // A log whose header never reached the disk holds no records either.
      await removeFile(logPath);
      return null;
    }
    const segment = new Segment(watchlistId, stem, collection.dimension, collection.blockShift, this.memory);
    if (snapshot) {
      // A loop, not push(...rows): a million arguments overflow the call stack.
      for (const row of snapshot.rows) {
        segment.rowById.set(row.id, segment.rows.length);
        segment.rows.push(row);
      }
      segment.adoptBlocks(snapshot.blocks);
      segment.snapshotGeneration = snapshot.header.generation;
      segment.snapshotBytes = snapshot.bytes;
    }
    if (log?.header && log.header.generation > segment.snapshotGeneration) {
      segment.reserve(segment.size + log.upserts.length);
      for (const upsert of log.upserts) segment.put(upsert.row, upsert.vector);
      segment.log = await SegmentLog.open(logPath, log.header, log.validBytes);
    } else if (log) {
      // Already folded into the snapshot (a crash came between the rename and the unlink).
      await removeFile(logPath);
    }
    return segment;
  }

  // ---------- writing ----------

  private async openLog(collection: Collection, segment: Segment): Promise<SegmentLog> {
    segment.log ??= await SegmentLog.open(
      join(collection.directory, `${segment.stem}.log`),
      {
        format: 1,
        modelId: collection.modelId,
        dimension: collection.dimension,
        watchlistId: segment.watchlistId,
        generation: segment.snapshotGeneration + 1,
      },
      null,
    );
    return segment.log;
  }

  private async removeFromSegment(collection: Collection, segment: Segment, ids: string[]): Promise<void> {
    let removed = 0;
    await collection.change(() => {
      for (const id of ids) {
        if (segment.remove(id)) {
          collection.segmentById.delete(id);
          removed++;
        }
      }
    });
    if (removed === 0) return;
    // Erasure means the bytes leave the disk now, not at some later compaction.
    if (segment.size === 0) await this.dropSegment(collection, segment);
    else await this.compact(collection, segment);
  }

  /** Rewrites the snapshot from memory and retires the log it now includes. */
  private async compact(collection: Collection, segment: Segment): Promise<void> {
    const generation = segment.snapshotGeneration + 1;
    segment.snapshotBytes = await writeSnapshot(join(collection.directory, `${segment.stem}.seg`), {
      header: {
        format: 1,
        modelId: collection.modelId,
        dimension: collection.dimension,
        watchlistId: segment.watchlistId,
        generation,
        rows: segment.size,
        blockQuantErrors: [],
      },
      rows: segment.rows,
      blocks: segment.storedBlocks(),
    });
    segment.snapshotGeneration = generation;
    await segment.log?.close();
    segment.log = null;
    await removeFile(join(collection.directory, `${segment.stem}.log`));
    await syncDirectory(collection.directory);
  }

  private async dropSegment(collection: Collection, segment: Segment): Promise<void> {
    await collection.change(() => {
      for (const row of segment.rows) collection.segmentById.delete(row.id);
      collection.segments.delete(segment.watchlistId);
      segment.retireAll();
    });
    await segment.log?.close();
    segment.log = null;
    // Log first: a snapshot left behind by a crash here is stale but complete; a log left alone would
    // be replayed onto nothing and resurrect part of the watch-list.
    await removeFile(join(collection.directory, `${segment.stem}.log`));
    await syncDirectory(collection.directory);
    await removeFile(join(collection.directory, `${segment.stem}.seg`));
    await syncDirectory(collection.directory);
  }
}

function toRow(point: NormalisedPoint): SegmentRow {
  return {
    id: point.id,
    subjectId: point.payload.subjectId,
    enrolledFaceId: point.payload.enrolledFaceId,
    expiresAt: point.payload.expiresAt,
  };
}

/** Rows per block as a power of two, so a block is at most 256 MiB of float32 whatever the dimension. */
function blockShiftFor(dimension: number): number {
  const rows = Math.floor((256 * 1024 * 1024) / (dimension * 4));
  return Math.min(20, Math.max(10, Math.floor(Math.log2(rows))));
}

async function writeJsonDurably(path: string, value: unknown): Promise<void> {
  const handle = await open(path, 'w', OWNER_ONLY_FILE);
  try {
    await handle.writeFile(JSON.stringify(value, null, 2));
    await handle.sync();
  } finally {
    await handle.close();
  }
}

// Two index instances over one folder would each append to the same logs and overwrite each other's
// snapshots: the second is refused, in this process as in any other (acquireProcessLock's rule).
function acquireLock(directory: string): ProcessLock {
  try {
    return acquireProcessLock(join(directory, LOCK_FILE), { what: `The vector folder ${directory}`, hint: 'The embedded index allows one process at a time.' });
  } catch (error) {
    if (error instanceof LockHeldError) throw new VectorIndexError('UNAVAILABLE', error.message);
    throw error;
  }
}
