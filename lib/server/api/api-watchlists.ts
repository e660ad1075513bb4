import 'server-only';
import type { PrismaClient } from '@/lib/server/generated/prisma/client';
import { getSharedFacePipeline } from '@/lib/server/vision/shared-face-pipeline';
import type { ApiClientRecord } from './api-clients';

/**
 * The watch-lists this client may search, with how many faces a search would compare against now
 * (indexed, unexpired, of a subject not erased, made by the server's recogniser) and a version that
 * changes whenever that set changes (its size and its newest enrolment or erasure).
 */
export async function listClientWatchlists(prisma: PrismaClient, client: ApiClientRecord, modelId?: string) {
  // The faces that count are those of the recogniser this server searches with.
  modelId ??= (await getSharedFacePipeline()).recognizerId;
  const now = new Date();
  const lists = await prisma.watchlist.findMany({ where: { id: { in: client.watchlistIds }, deletedAt: null }, orderBy: { name: 'asc' }, select: { id: true, name: true, createdAt: true } });
  const ids = lists.map((list) => list.id);
  const searchable = await prisma.enrolledFace.groupBy({
    by: ['watchlistId'],
    where: { watchlistId: { in: ids }, modelId, indexState: 'indexed', expiresAt: { gt: now }, subject: { deletedAt: null } },
    _count: { _all: true },
  });
  const changes = await prisma.enrolledFace.groupBy({ by: ['watchlistId'], where: { watchlistId: { in: ids } }, _max: { createdAt: true, purgedAt: true }, _count: { _all: true } });
  return lists.map((list) => {
    const faces = searchable.find((group) => group.watchlistId === list.id)?._count._all ?? 0;
    const change = changes.find((group) => group.watchlistId === list.id);
    const newest = Math.max(list.createdAt.getTime(), change?._max.createdAt?.getTime() ?? 0, change?._max.purgedAt?.getTime() ?? 0);
    return { id: list.id, name: list.name, faces, version: `${faces}.${change?._count._all ?? 0}.${newest}` };
  });
}
