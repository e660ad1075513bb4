import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  decodeLog,
  decodeRows,
  encodeLogHeader,
  encodeLogUpsert,
  encodeRows,
  readSnapshot,
  writeSnapshot,
} from '@/lib/server/vector/segment-file';

const header = { format: 1, modelId: 'm', dimension: 3, watchlistId: 'wl', generation: 2 };
const row = (n: number) => ({ id: `id-${n}`, subjectId: `subject-${n}`, enrolledFaceId: `face-ü-${n}`, expiresAt: n % 2 ? null : '2031-02-03T00:00:00.000Z' });

describe('row encoding', () => {
  it('round-trips rows, including null expiry and non-ASCII text', () => {
    const rows = [row(1), row(2), row(3)];
    expect(decodeRows(encodeRows(rows), 3).rows).toEqual(rows);
  });
});

describe('decodeLog', () => {
  const records = Buffer.concat([
    encodeLogHeader(header),
    encodeLogUpsert(row(1), new Float32Array([1, 0, 0])),
    encodeLogUpsert(row(2), new Float32Array([0, 1, 0])),
  ]);

  it('reads the header and every intact record', () => {
    const log = decodeLog(records, 3);
    expect(log.header).toEqual(header);
    expect(log.upserts.map((upsert) => upsert.row)).toEqual([row(1), row(2)]);
    expect(Array.from(log.upserts[1]!.vector)).toEqual([0, 1, 0]);
    expect(log.validBytes).toBe(records.length);
  });

  it('stops at a torn record and reports where the good part ends', () => {
    const torn = records.subarray(0, records.length - 5);
    const log = decodeLog(torn, 3);
    expect(log.upserts).toHaveLength(1);
    expect(log.validBytes).toBe(records.length - encodeLogUpsert(row(2), new Float32Array(3)).length);
  });

  it('stops at a record whose checksum does not match', () => {
    const damaged = Buffer.from(records);
    damaged[damaged.length - 2]! ^= 0xff;
    expect(decodeLog(damaged, 3).upserts).toHaveLength(1);
  });

  it('treats a log without a complete header as empty', () => {
    const log = decodeLog(records.subarray(0, 6), 3);
    expect(log.header).toBeNull();
    expect(log.validBytes).toBe(0);
  });

  it('refuses a log written for another dimension', () => {
    expect(() => decodeLog(records, 4)).toThrow(expect.objectContaining({ reason: 'CORRUPT_STORE' }));
  });
});

describe('snapshot files', () => {
  const dimension = 3;
  const makeBlock = (rows: number, seed: number, maxQuantError: number) => ({
    f32: Float32Array.from({ length: rows * dimension }, (_, i) => Math.sin(seed * 100 + i)),
    i8: Int8Array.from({ length: rows * dimension }, (_, i) => ((seed * 7 + i) % 255) - 127),
    maxQuantError,
  });

  it('round-trips rows, float32 and int8 blocks and their error bounds', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'rfr-segment-'));
    try {
      const path = join(directory, 'wl.seg');
      const blocks = [makeBlock(4, 1, 0.01), makeBlock(4, 2, 0.02), makeBlock(2, 3, 0.005)];
      const rows = Array.from({ length: 10 }, (_, i) => row(i));
      const snapshotHeader = { ...header, rows: 10, blockQuantErrors: [] };
      const bytes = await writeSnapshot(path, { header: snapshotHeader, rows, blocks });
      const read = await readSnapshot(path, { dimension, blockRows: 4 });
      expect(read.bytes).toBe(bytes);
      expect(read.rows).toEqual(rows);
      expect(read.header.blockQuantErrors).toEqual([0.01, 0.02, 0.005]);
      expect(read.blocks.map((block) => Array.from(block.f32))).toEqual(blocks.map((block) => Array.from(block.f32)));
      expect(read.blocks.map((block) => Array.from(block.i8))).toEqual(blocks.map((block) => Array.from(block.i8)));
      expect(read.blocks.map((block) => block.maxQuantError)).toEqual([0.01, 0.02, 0.005]);

      // Read with another block size, every block gets the largest bound (still safe, never smaller).
      const resplit = await readSnapshot(path, { dimension, blockRows: 3 });
      expect(resplit.blocks.map((block) => block.f32.length / dimension)).toEqual([3, 3, 3, 1]);
      expect(resplit.blocks.every((block) => block.maxQuantError === 0.02)).toBe(true);

      // A flipped byte anywhere in the vectors is caught.
      const damaged = await readFile(path);
      damaged[damaged.length - 20]! ^= 0x01;
      await writeFile(path, damaged);
      await expect(readSnapshot(path, { dimension, blockRows: 4 })).rejects.toMatchObject({ reason: 'CORRUPT_STORE' });
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
