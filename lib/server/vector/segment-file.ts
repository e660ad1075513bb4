import 'server-only';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';
import { OWNER_ONLY_FILE } from '@/lib/server/storage/owner-only';
import { VectorIndexError, type VectorPayload } from '@/lib/server/vector/vector-index';

/**
 * On-disk form of one watch-list's vectors in the embedded index: a snapshot file (`.seg`) written whole
 * to a temporary name, fsynced and renamed over the old one, plus an append-only log (`.log`) of upserts
 * made since. A crash can leave at most a torn record at the end of the log, which is detected by its
 * CRC and dropped; the snapshot is either the old one or the new one, never a mix.
 *
 * Generations stop a stale log from being replayed: a snapshot records the last log generation it
 * includes, and a log whose generation is not newer is ignored. Without that, a crash between writing
 * a compacted snapshot and unlinking the log could bring an erased face back.
 */
const SNAPSHOT_MAGIC = Buffer.from('RFRSEG01', 'latin1');
const SNAPSHOT_END = Buffer.from('RFRSEGOK', 'latin1');
const FORMAT = 1;
const RECORD_HEADER = 0;
const RECORD_UPSERT = 1;

export type SegmentHeader = { format: number; modelId: string; dimension: number; watchlistId: string; generation: number };
export type SnapshotHeader = SegmentHeader & {
  rows: number;
  /** Per block of rows (as split by blockRows), the largest int8 quantisation error, for the scan's bound. */
  blockQuantErrors: number[];
};

/** A block of rows as the scan keeps it: float32 for scoring, int8 for the shortlist pass. */
export type StoredBlock = { f32: Float32Array; i8: Int8Array; maxQuantError: number };
export type SegmentRow = { id: string; subjectId: string; enrolledFaceId: string; expiresAt: string | null };

export type SnapshotContents = {
  header: SnapshotHeader;
  rows: SegmentRow[];
  /** Rows in blocks of at most `blockRows`, each array its own buffer, sized exactly. */
  blocks: StoredBlock[];
  bytes: number;
};

export type LogUpsert = { row: SegmentRow; vector: Float32Array };
export type LogContents = { header: SegmentHeader | null; upserts: LogUpsert[]; validBytes: number; totalBytes: number };

// ---------- row (payload) encoding ----------

export function encodeRows(rows: SegmentRow[]): Buffer {
  const parts: Buffer[] = [];
  for (const row of rows) parts.push(encodeRow(row));
  return Buffer.concat(parts);
}

function encodeRow(row: SegmentRow): Buffer {
  const fields = [row.id, row.subjectId, row.enrolledFaceId, row.expiresAt ?? ''].map((field) => Buffer.from(field, 'utf8'));
  const out = Buffer.alloc(fields.reduce((total, field) => total + 2 + field.length, 0));
  let offset = 0;
  for (const field of fields) {
    if (field.length > 0xffff) throw new VectorIndexError('INVALID_INPUT', 'payload field too long to store');
    out.writeUInt16LE(field.length, offset);
    field.copy(out, offset + 2);
    offset += 2 + field.length;
  }
  return out;
}

export function decodeRows(buffer: Buffer, count: number, start = 0): { rows: SegmentRow[]; end: number } {
  const rows: SegmentRow[] = [];
  let offset = start;
  const readField = (): string => {
    if (offset + 2 > buffer.length) throw new Error('row data truncated');
    const length = buffer.readUInt16LE(offset);
    if (offset + 2 + length > buffer.length) throw new Error('row data truncated');
    const value = buffer.toString('utf8', offset + 2, offset + 2 + length);
    offset += 2 + length;
    return value;
  };
  for (let i = 0; i < count; i++) {
    const id = readField();
    const subjectId = readField();
    const enrolledFaceId = readField();
    const expiresAt = readField();
    rows.push({ id, subjectId, enrolledFaceId, expiresAt: expiresAt === '' ? null : expiresAt });
  }
  return { rows, end: offset };
}

export function rowToPayload(row: SegmentRow, watchlistId: string): VectorPayload {
  return { watchlistId, subjectId: row.subjectId, enrolledFaceId: row.enrolledFaceId, expiresAt: row.expiresAt };
}

// ---------- snapshot ----------

export type SnapshotSource = {
  header: SnapshotHeader;
  rows: SegmentRow[];
  /**
   * Views of the rows, in row order, all blocks but the last holding exactly blockRows rows; together
   * exactly header.rows × dimension values. The int8 copies are stored too, so a restart reads them
   * instead of quantising a whole gallery again.
   */
  blocks: StoredBlock[];
};

export async function writeSnapshot(path: string, source: SnapshotSource): Promise<number> {
  const header: SnapshotHeader = { ...source.header, blockQuantErrors: source.blocks.map((block) => block.maxQuantError) };
  const headerJson = Buffer.from(JSON.stringify(header), 'utf8');
  const rowBytes = encodeRows(source.rows);
  const prefixLength = 8 + 4 + headerJson.length + 4 + rowBytes.length;
  const padding = (4 - (prefixLength % 4)) % 4;
  const prefix = Buffer.alloc(prefixLength + padding);
  SNAPSHOT_MAGIC.copy(prefix, 0);
  prefix.writeUInt32LE(headerJson.length, 8);
  headerJson.copy(prefix, 12);
  prefix.writeUInt32LE(rowBytes.length, 12 + headerJson.length);
  rowBytes.copy(prefix, 16 + headerJson.length);

  const temporary = `${path}.tmp`;
  const handle = await open(temporary, 'w', OWNER_ONLY_FILE);
  let written = 0;
  try {
    written += await writeAll(handle, prefix);
    let vectorCrc = 0;
    const views = [...source.blocks.map((block) => block.f32), ...source.blocks.map((block) => block.i8)];
    for (const view of views) {
      const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
      vectorCrc = crc32(bytes, vectorCrc);
      written += await writeAll(handle, bytes);
    }
    const trailer = Buffer.alloc(16);
    trailer.writeUInt32LE(crc32(prefix), 0);
    trailer.writeUInt32LE(vectorCrc, 4);
    SNAPSHOT_END.copy(trailer, 8);
    written += await writeAll(handle, trailer);
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  await rename(temporary, path);
  await syncDirectory(dirname(path));
  return written;
}

/** `shared`: the blocks are read into SharedArrayBuffers, for an index that scans in worker threads. */
export async function readSnapshot(path: string, expected: { dimension: number; blockRows: number; shared?: boolean }): Promise<SnapshotContents> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const corrupt = (why: string) => new VectorIndexError('CORRUPT_STORE', `vector snapshot ${path} is damaged: ${why}`);
    if (size < 32) throw corrupt('too short');
    const trailer = await readExactly(handle, size - 16, 16);
    if (!trailer.subarray(8).equals(SNAPSHOT_END)) throw corrupt('no end marker');
    const start = await readExactly(handle, 0, 12);
    if (!start.subarray(0, 8).equals(SNAPSHOT_MAGIC)) throw corrupt('not a snapshot file');
    const headerLength = start.readUInt32LE(8);
    if (headerLength + 32 > size) throw corrupt('header length');
    const headerAndRowLength = await readExactly(handle, 12, headerLength + 4);
    const header = parseJson<SnapshotHeader>(headerAndRowLength.toString('utf8', 0, headerLength), corrupt);
    const rowLength = headerAndRowLength.readUInt32LE(headerLength);
    if (16 + headerLength + rowLength + 16 > size) throw corrupt('row data length');
    if (header.format !== FORMAT) throw corrupt(`unknown format ${header.format}`);
    if (header.dimension !== expected.dimension) throw corrupt(`dimension ${header.dimension}, collection has ${expected.dimension}`);
    const rowBytes = await readExactly(handle, 16 + headerLength, rowLength);
    const prefixLength = 16 + headerLength + rowLength;
    const padding = (4 - (prefixLength % 4)) % 4;
    const vectorBytes = header.rows * header.dimension * 5; // float32 rows, then their int8 copies
    if (size !== prefixLength + padding + vectorBytes + 16) throw corrupt('size does not match its header');

    const prefix = Buffer.concat([start, headerAndRowLength, rowBytes, Buffer.alloc(padding)]);
    if (crc32(prefix) !== trailer.readUInt32LE(0)) throw corrupt('row data checksum');
    const { rows } = decodeRows(rowBytes, header.rows);

    const blockCount = Math.ceil(header.rows / expected.blockRows);
    const sizes = Array.from({ length: blockCount }, (_, index) => Math.min(expected.blockRows, header.rows - index * expected.blockRows));
    // Written with another block size (a future change of blockRows): the largest error bounds every block.
    const errors = header.blockQuantErrors ?? [];
    const globalError = errors.length > 0 ? Math.max(...errors) : 1;
    let vectorCrc = 0;
    let position = prefixLength + padding;
    const readBlockArray = async <T extends Float32Array | Int8Array>(array: T): Promise<T> => {
      const bytes = new Uint8Array(array.buffer);
      await readInto(handle, bytes, position);
      vectorCrc = crc32(bytes, vectorCrc);
      position += bytes.length;
      return array;
    };
    const f32Blocks: Float32Array[] = [];
    const bytesFor = (length: number) => (expected.shared ? new SharedArrayBuffer(length) : new ArrayBuffer(length));
    for (const rowsInBlock of sizes) f32Blocks.push(await readBlockArray(new Float32Array(bytesFor(rowsInBlock * header.dimension * 4))));
    const blocks: StoredBlock[] = [];
    for (const [index, rowsInBlock] of sizes.entries()) {
      const i8 = await readBlockArray(new Int8Array(bytesFor(rowsInBlock * header.dimension)));
      const maxQuantError = errors.length === blockCount ? errors[index]! : globalError;
      blocks.push({ f32: f32Blocks[index]!, i8, maxQuantError });
    }
    if (vectorCrc !== trailer.readUInt32LE(4)) throw corrupt('vector checksum');
    return { header, rows, blocks, bytes: size };
  } finally {
    await handle.close();
  }
}

// ---------- log ----------

export function encodeLogHeader(header: SegmentHeader): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  return frameRecord(Buffer.concat([Buffer.from([RECORD_HEADER]), json]));
}

export function encodeLogUpsert(row: SegmentRow, vector: Float32Array): Buffer {
  const rowBytes = encodeRow(row);
  const body = Buffer.alloc(1 + rowBytes.length + vector.byteLength);
  body[0] = RECORD_UPSERT;
  rowBytes.copy(body, 1);
  Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).copy(body, 1 + rowBytes.length);
  return frameRecord(body);
}

function frameRecord(body: Buffer): Buffer {
  const frame = Buffer.alloc(8 + body.length);
  frame.writeUInt32LE(body.length, 0);
  frame.writeUInt32LE(crc32(body), 4);
  body.copy(frame, 8);
  return frame;
}

/**
 * Reads every intact record. Reading stops at the first torn or corrupt record: everything before it
 * was fsynced before the call that wrote it returned, everything after it cannot be trusted.
 */
export function decodeLog(buffer: Buffer, dimension: number): LogContents {
  let offset = 0;
  let header: SegmentHeader | null = null;
  const upserts: LogUpsert[] = [];
  while (offset + 8 <= buffer.length) {
    const length = buffer.readUInt32LE(offset);
    const checksum = buffer.readUInt32LE(offset + 4);
    if (length === 0 || offset + 8 + length > buffer.length) break;
    const body = buffer.subarray(offset + 8, offset + 8 + length);
    if (crc32(body) !== checksum) break;
    const kind = body[0];
    if (header === null) {
      if (kind !== RECORD_HEADER) break;
      header = JSON.parse(body.toString('utf8', 1)) as SegmentHeader;
      if (header.format !== FORMAT || header.dimension !== dimension) {
        throw new VectorIndexError('CORRUPT_STORE', `vector log has format ${header.format} / dimension ${header.dimension}`);
      }
    } else if (kind === RECORD_UPSERT) {
      const { rows, end } = decodeRows(body, 1, 1);
      if (body.length - end !== dimension * 4) break;
      const vector = new Float32Array(dimension);
      new Uint8Array(vector.buffer).set(body.subarray(end));
      upserts.push({ row: rows[0]!, vector });
    } else {
      break;
    }
    offset += 8 + length;
  }
  return { header, upserts, validBytes: header === null ? 0 : offset, totalBytes: buffer.length };
}

export async function readLog(path: string, dimension: number): Promise<LogContents | null> {
  let buffer: Buffer;
  try {
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      buffer = size === 0 ? Buffer.alloc(0) : await readExactly(handle, 0, size);
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
  return decodeLog(buffer, dimension);
}

export class SegmentLog {
  private constructor(
    private readonly handle: FileHandle,
    private length: number,
  ) {}

  /** Opens the log for appending; a new log gets its header written and synced before any record. */
  static async open(path: string, header: SegmentHeader, validBytes: number | null): Promise<SegmentLog> {
    const handle = await open(path, validBytes === null ? 'w' : 'r+', OWNER_ONLY_FILE);
    try {
      if (validBytes === null || validBytes === 0) {
        await handle.truncate(0);
        const headerRecord = encodeLogHeader(header);
        await handle.write(headerRecord, 0, headerRecord.length, 0);
        await handle.sync();
        await syncDirectory(dirname(path));
        return new SegmentLog(handle, headerRecord.length);
      }
      // Drop a torn tail left by a crash before appending after it.
      await handle.truncate(validBytes);
      await handle.sync();
      return new SegmentLog(handle, validBytes);
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
  }

  get bytes(): number {
    return this.length;
  }

  async append(records: Buffer): Promise<void> {
    const before = this.length;
    try {
      await writeAllAt(this.handle, records, before);
      await this.handle.datasync();
      this.length = before + records.length;
    } catch (error) {
      // A half-written record followed by later good ones would hide them from replay: cut it off.
      await this.handle.truncate(before).catch(() => undefined);
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

// ---------- file helpers ----------

function parseJson<T>(text: string, corrupt: (why: string) => Error): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw corrupt('header is not JSON');
  }
}

export async function removeFile(path: string): Promise<void> {
  await rm(path, { force: true });
}

export async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } catch {
    // Some filesystems refuse fsync on a directory; the rename is still atomic there.
  } finally {
    await handle.close();
  }
}

export function isMissing(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === 'ENOENT';
}

async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<number> {
  let offset = 0;
  while (offset < bytes.length) {
    const chunk = Math.min(bytes.length - offset, 64 * 1024 * 1024);
    const { bytesWritten } = await handle.write(bytes, offset, chunk);
    offset += bytesWritten;
  }
  return bytes.length;
}

async function writeAllAt(handle: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset, position + offset);
    offset += bytesWritten;
  }
}

async function readExactly(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  await readInto(handle, buffer, position);
  return buffer;
}

async function readInto(handle: FileHandle, target: Uint8Array, position: number): Promise<void> {
  let offset = 0;
  while (offset < target.length) {
    const chunk = Math.min(target.length - offset, 64 * 1024 * 1024);
    const { bytesRead } = await handle.read(target, offset, chunk, position + offset);
    if (bytesRead === 0) throw new VectorIndexError('CORRUPT_STORE', 'vector file ended early');
    offset += bytesRead;
  }
}
