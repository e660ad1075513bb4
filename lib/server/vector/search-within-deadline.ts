import 'server-only';
import { VectorIndexError, type SearchQuery, type VectorHit, type VectorIndex } from '@/lib/server/vector/vector-index';

/**
 * A vector search with a deadline, for callers that hold a database transaction open around it (the
 * search action counts the gallery, searches and records the result in one transaction, so that a
 * search is recorded completely or not at all).
 *
 * Without one, a stuck index holds the transaction's connection for as long as it hangs: Prisma expires
 * the transaction after its timeout, but the action itself never returns, and with the embedded PGlite
 * database (one connection) every other request waits behind it. At the deadline the search is
 * abandoned (its signal stops a pooled scan; see scan-pool.ts) and the caller gets a VectorIndexError
 * that says so; rejected inside the transaction's callback, it rolls the transaction back, and the
 * action wrapper reports an internal error with an event id. `Promise.race` rather than trusting the
 * signal alone: an index that ignores it is released all the same.
 */
export async function searchWithinDeadline(index: VectorIndex, modelId: string, query: SearchQuery, timeoutMs: number): Promise<VectorHit[]> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const error = new VectorIndexError(
        'UNAVAILABLE',
        `the ${index.engine} vector index did not answer a search within ${timeoutMs} ms; the search was abandoned and its transaction rolled back, so nothing was recorded`,
      );
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  try {
    return await Promise.race([index.search(modelId, { ...query, signal: controller.signal }), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
