import 'server-only';
import type { TransactionClient } from '@/lib/server/db/database';

// A watch-list's version says which state of the list a search ran against. It is increased in the
// transaction that makes the change (so a change and its version commit together or not at all), and
// read by a search under a share lock: a change still open on the list makes the search wait for it,
// and a change that starts during the search waits for the search, so the version a search records is
// exactly the one whose faces it counted.

/** Increases the list's version by one and returns the new version. */
export async function bumpWatchlistVersion(tx: TransactionClient, watchlistId: string): Promise<number> {
  const updated = await tx.watchlist.update({ where: { id: watchlistId }, data: { version: { increment: 1 } }, select: { version: true } });
  return updated.version;
}

/** The same for several lists at once (a retention sweep that expired faces in each); returns the new versions. */
export async function bumpWatchlistVersions(tx: TransactionClient, watchlistIds: string[]): Promise<Record<string, number>> {
  const ids = [...new Set(watchlistIds)].sort();
  if (ids.length === 0) return {};
  await tx.watchlist.updateMany({ where: { id: { in: ids } }, data: { version: { increment: 1 } } });
  const rows = await tx.watchlist.findMany({ where: { id: { in: ids } }, select: { id: true, version: true } });
  return Object.fromEntries(rows.map((row) => [row.id, row.version]));
}

/** The current version of each list, share-locked until the caller's transaction ends. */
export async function lockWatchlistVersions(tx: TransactionClient, watchlistIds: string[]): Promise<Record<string, number>> {
  if (watchlistIds.length === 0) return {};
  const rows = await tx.$queryRaw<{ id: string; version: number }[]>`
    SELECT "id"::text AS "id", "version" FROM "watchlists" WHERE "id" = ANY(${watchlistIds}::uuid[]) ORDER BY "id" FOR SHARE`;
  return Object.fromEntries(rows.map((row) => [row.id, Number(row.version)]));
}
