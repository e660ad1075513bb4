// A scan worker that misbehaves on cue, for tests of the pool's failure handling only: a search with
// limit 13 kills the worker thread mid-job (as a native crash or an out-of-memory would), one with limit
// 14 never finishes (a stuck scan). Any other search is handled by the real worker, loaded below.
import { parentPort } from 'node:worker_threads';

export const CRASH_ON_LIMIT = 13;
export const HANG_ON_LIMIT = 14;

// Wraps the real worker's message listener as it registers it. Messages wait in the port until a
// listener exists, so none is missed while the real worker loads.
const on = parentPort.on.bind(parentPort);
parentPort.on = (event, listener) =>
  on(event, event !== 'message' ? listener : (message) => {
    if (message.options.limit === CRASH_ON_LIMIT) process.exit(3);
    if (message.options.limit === HANG_ON_LIMIT) for (;;);
    listener(message);
  });

await import('../../lib/server/vector/scan-worker.mjs');
