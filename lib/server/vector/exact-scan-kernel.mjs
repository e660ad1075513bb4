// The exact scan itself, as plain JavaScript: the same file runs in the server process (imported, and so
// bundled, through exact-scan.ts) and in the scan workers (scan-worker.mjs loads it from the file system,
// where neither the Next.js bundler nor a TypeScript loader is involved). One source for both is what
// keeps a worker's result bit-identical to an in-thread scan. Types: exact-scan-kernel.d.mts.
//
// Exact top-k cosine search over row-major blocks of unit vectors.
//
// Each block keeps the float32 rows and an int8 copy (per-row scale). A query scans the int8 copy with
// usearch's SIMD kernel (a quarter of the memory traffic of float32, which is what bounds a 1 M × 512
// scan on one core), re-scores the shortlist in float32, and then PROVES that nothing outside the
// shortlist could have entered the top k: quantisation moves a unit vector by at most angle
// asin(‖x̂−x‖), so an int8 cosine is within ε = θ_row + θ_query of the float32 cosine. Shortlisted rows
// are re-scored best-first and re-scoring stops once the next int8 score plus ε cannot reach the k-th
// exact score; a block whose whole shortlist was needed is scanned again with a longer one. The result
// is the float32 top k, not an approximation of it (measured in scripts/bench/search.ts: recall 1.0).
import { createRequire } from 'node:module';
// usearch's ESM entry finds its native binary from a global `__dirname` when one exists, and Prisma's
// generated client sets `globalThis.__dirname` to its own folder; whichever loads first wins, and the
// search then fails to start. The CommonJS entry has a real `__dirname` of its own.
const { exactSearch, MetricKind } = createRequire(import.meta.url)('usearch');
// Float rounding in the int8 cosine and in our float32 re-score. Measured ≤ 1e-7 with the AVX2 kernel here;
// 1e-3 also covers SIMD kernels on other CPUs that normalise with an approximate reciprocal square root
// (~4e-4 relative), so the certificate never rests on one platform's arithmetic.
const ROUNDING_SLACK = 1e-3;
// Rows the int8 pass hands over per block. Only as many as the bound requires are re-scored, so a generous
// shortlist costs little, while one too short costs a second full scan of the block.
const MIN_SHORTLIST = 1024;
const WIDEN_FACTOR = 8;
export function quantiseRowInt8(source, sourceOffset, target, targetOffset, dimension) {
  let maxAbs = 0;
  let originalSquared = 0;
  for (let i = 0; i < dimension; i++) {
    const value = source[sourceOffset + i];
    originalSquared += value * value;
    const magnitude = value < 0 ? -value : value;
    if (magnitude > maxAbs)
      maxAbs = magnitude;
  }
  if (maxAbs === 0) {
    target.fill(0, targetOffset, targetOffset + dimension);
    return 1;
  }
  const scale = 127 / maxAbs;
  const step = maxAbs / 127;
  let errorSquared = 0;
  for (let i = 0; i < dimension; i++) {
    const value = source[sourceOffset + i];
    const quantised = Math.round(value * scale);
    target[targetOffset + i] = quantised;
    const difference = quantised * step - value;
    errorSquared += difference * difference;
  }
  return Math.sqrt(errorSquared / originalSquared);
}
export function quantiseQuery(unit) {
  const i8 = new Int8Array(unit.length);
  const quantError = quantiseRowInt8(unit, 0, i8, 0, unit.length);
  return { f32: unit, i8, quantError };
}
/** Largest angle between a vector and its int8 copy, given their relative distance. */
export function angleBound(relativeError) {
  return relativeError >= 1 ? Math.PI : Math.asin(relativeError);
}
export function dotRow(data, offset, query, dimension) {
  let sum = 0;
  for (let i = 0; i < dimension; i++)
    sum += data[offset + i] * query[i];
  return sum;
}
export function scanExact(blocks, query, options) {
  const { dimension, limit, minScore } = options;
  const threads = options.threads ?? 1;
  // The native binding reads from the start of the ArrayBuffer and ignores a view's byteOffset.
  if (query.i8.byteOffset !== 0)
    throw new Error('query int8 view must start at offset 0');
  const best = new TopList(limit);
  const floor = minScore ?? Number.NEGATIVE_INFINITY;
  const threshold = () => Math.max(best.kth(), floor);
  const queryAngle = angleBound(query.quantError);
  let rescored = 0;
  let passes = 0;
  // Blocks no bigger than a shortlist are simply scored in full: exact, no certificate needed.
  let scanned = [];
  blocks.forEach((block, index) => {
    if (block.rows === 0)
      return;
    if (block.rows <= MIN_SHORTLIST) {
      for (let row = 0; row < block.rows; row++)
        best.offer(index, row, dotRow(block.f32, row * dimension, query.f32, dimension));
      rescored += block.rows;
    }
    else {
      scanned.push(index);
    }
  });
  const shortlistSize = blocks.map((block) => Math.min(block.rows, Math.max(MIN_SHORTLIST, limit * 8)));
  const done = new Set();
  while (scanned.length > 0) {
    passes++;
    const shortlists = scanned.map((index) => shortlistBlock(blocks[index], index, query, shortlistSize[index], dimension, threads));
    const epsilon = scanned.reduce((most, index) => Math.max(most, angleBound(blocks[index].maxQuantError)), 0) + queryAngle + ROUNDING_SLACK;
    const merge = new ShortlistMerge(shortlists);
    for (let next = merge.peek(); next !== null; next = merge.peek()) {
      if (next.approx + epsilon < threshold())
        break;
      merge.pop();
      const key = `${next.block}:${next.row}`;
      if (done.has(key))
        continue; // already re-scored in an earlier, shorter pass
      done.add(key);
      best.offer(next.block, next.row, dotRow(blocks[next.block].f32, next.row * dimension, query.f32, dimension));
      rescored++;
    }
    // Rows outside a block's shortlist score at most its last int8 score; widen where that could matter.
    scanned = shortlists
      .filter((shortlist) => shortlist.k < blocks[shortlist.block].rows && shortlist.lowestApprox + epsilon >= threshold())
      .map((shortlist) => shortlist.block);
    for (const index of scanned)
      shortlistSize[index] = Math.min(blocks[index].rows, shortlistSize[index] * WIDEN_FACTOR);
  }
  const candidates = best.sorted().filter((candidate) => candidate.score >= floor);
  return { candidates, passes, rescored };
}
/** The k best rows of a block by int8 cosine, best first. */
function shortlistBlock(block, blockIndex, query, k, dimension, threads) {
  if (block.i8.byteOffset !== 0)
    throw new Error('block int8 view must start at offset 0');
  const matches = exactSearch(block.i8.subarray(0, block.rows * dimension), query.i8, dimension, k, MetricKind.Cos, threads);
  const rows = new Uint32Array(k);
  const approx = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    rows[i] = Number(matches.keys[i]);
    approx[i] = 1 - matches.distances[i];
  }
  return { block: blockIndex, k, rows, approx, lowestApprox: k > 0 ? approx[k - 1] : Number.NEGATIVE_INFINITY };
}
/** Walks several best-first shortlists as one best-first stream (a small max-heap of list heads). */
class ShortlistMerge {
  heap = [];
  constructor(lists) {
    for (const list of lists)
      if (list.k > 0)
        this.push({ list, position: 0 });
  }
  peek() {
    const head = this.heap[0];
    if (!head)
      return null;
    return { block: head.list.block, row: head.list.rows[head.position], approx: head.list.approx[head.position] };
  }
  pop() {
    const head = this.heap[0];
    const last = this.heap.pop();
    if (this.heap.length > 0) {
      this.heap[0] = last;
      this.siftDown(0);
    }
    if (head.position + 1 < head.list.k)
      this.push({ list: head.list, position: head.position + 1 });
  }
  value(index) {
    const entry = this.heap[index];
    return entry.list.approx[entry.position];
  }
  push(entry) {
    this.heap.push(entry);
    let index = this.heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (this.value(parent) >= this.value(index))
        break;
      [this.heap[parent], this.heap[index]] = [this.heap[index], this.heap[parent]];
      index = parent;
    }
  }
  siftDown(index) {
    for (;;) {
      const left = index * 2 + 1;
      const right = left + 1;
      let largest = index;
      if (left < this.heap.length && this.value(left) > this.value(largest))
        largest = left;
      if (right < this.heap.length && this.value(right) > this.value(largest))
        largest = right;
      if (largest === index)
        return;
      [this.heap[largest], this.heap[index]] = [this.heap[index], this.heap[largest]];
      index = largest;
    }
  }
}
/** The best `limit` exact scores seen so far, kept sorted (limit is small: at most a few hundred). */
class TopList {
  limit;
  entries = [];
  constructor(limit) {
    this.limit = limit;
  }
  kth() {
    return this.entries.length < this.limit ? Number.NEGATIVE_INFINITY : this.entries[this.limit - 1].score;
  }
  offer(block, row, score) {
    if (this.entries.length >= this.limit && score <= this.entries[this.limit - 1].score)
      return;
    let position = this.entries.length;
    while (position > 0 && this.entries[position - 1].score < score)
      position--;
    this.entries.splice(position, 0, { block, row, score });
    if (this.entries.length > this.limit)
      this.entries.pop();
  }
  sorted() {
    return [...this.entries];
  }
}
