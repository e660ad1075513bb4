// One scan worker of the pool in scan-pool.ts. Plain JavaScript, loaded from the file system at run time
// (never bundled), so it runs unchanged under `next start`, tsx and vitest.
//
// The float32 rows arrive as views of SharedArrayBuffers: the same memory the server process holds,
// never copied. The int8 copies cannot be scanned in place: usearch's native binding refuses a
// SharedArrayBuffer-backed array ("Invalid argument", from N-API), so this worker keeps its own plain
// copy of each block's int8 rows and refreshes it only when the block's version has moved on (a write
// touched it). A gallery that does not change is copied into a worker once, not per search.
import { parentPort } from 'node:worker_threads';
import { scanExact } from './exact-scan-kernel.mjs';

/** bufferId → { version, rows, i8 } */
const mirrors = new Map();

function mirrorOf(block, dimension) {
  const values = block.rows * dimension;
  let mirror = mirrors.get(block.bufferId);
  if (!mirror || mirror.version !== block.version || mirror.rows !== block.rows) {
    // Sized for the block's capacity, so a growing last block is reallocated only when it is replaced.
    const i8 = mirror && mirror.i8.length === block.i8.length ? mirror.i8 : new Int8Array(block.i8.length);
    i8.set(block.i8.subarray(0, values));
    mirror = { version: block.version, rows: block.rows, i8 };
    mirrors.set(block.bufferId, mirror);
  }
  return mirror.i8;
}

parentPort.on('message', (message) => {
  const { jobId, blocks, query, options, retired } = message;
  for (const bufferId of retired) mirrors.delete(bufferId);
  try {
    const scanBlocks = blocks.map((block) => ({
      f32: block.f32,
      i8: mirrorOf(block, options.dimension),
      rows: block.rows,
      maxQuantError: block.maxQuantError,
    }));
    const result = scanExact(scanBlocks, query, options);
    parentPort.postMessage({ jobId, ok: true, result });
  } catch (error) {
    parentPort.postMessage({ jobId, ok: false, message: error instanceof Error ? error.message : String(error) });
  }
});
