import 'server-only';
import type { PrismaClient } from '@/lib/server/generated/prisma/client';
import { appendAuditEvent } from '@/lib/server/audit/append-audit-event';
import { bumpWatchlistVersions } from '@/lib/server/gallery/watchlist-version';

/**
 * Retention: faces past their watch-list's retention period move to `deleting` (and so out of every
 * search at once); the indexer then erases them from the index and the disk. One audit event per
 * sweep records how many and from which lists.
 */
export async function expireFaces(prisma: PrismaClient, now = new Date()): Promise<number> {
  return prisma.$transaction(async (tx) => {
    const due = await tx.enrolledFace.findMany({
      where: { expiresAt: { lte: now }, indexState: { in: ['pending', 'indexed'] } },
      select: { id: true, watchlistId: true },
    });
    if (due.length === 0) return 0;
    await tx.enrolledFace.updateMany({ where: { id: { in: due.map((face) => face.id) } }, data: { indexState: 'deleting' } });
    const perWatchlist: Record<string, number> = {};
    for (const face of due) perWatchlist[face.watchlistId] = (perWatchlist[face.watchlistId] ?? 0) + 1;
    // Expiry is an erasure too: every list that lost faces moves to a new version.
    const watchlistVersions = await bumpWatchlistVersions(tx, Object.keys(perWatchlist));
    await appendAuditEvent(tx, {
      actorId: null,
      actorRole: 'system',
      action: 'retention.expire',
      outcome: 'success',
      targetType: 'enrolled_faces',
      targetId: null,
      payload: { faces: due.length, perWatchlist, watchlistVersions, before: now.toISOString() },
    });
    return due.length;
  });
}
