import 'server-only';
import type { PrismaClient } from '@/lib/server/generated/prisma/client';

export type WatchlistSummary = {
  id: string;
  name: string;
  purpose: string;
  authority: string;
  retentionDays: number;
  reviewDate: Date;
  owner: string;
  subjects: number;
  faces: number;
};

export async function listWatchlists(prisma: PrismaClient): Promise<WatchlistSummary[]> {
  const rows = await prisma.watchlist.findMany({
    where: { deletedAt: null },
    orderBy: { name: 'asc' },
    select: {
      id: true,
      name: true,
      purpose: true,
      authority: true,
      retentionDays: true,
      reviewDate: true,
      owner: { select: { displayName: true } },
      _count: { select: { subjects: { where: { deletedAt: null } }, enrolledFaces: { where: { indexState: 'indexed' } } } },
    },
  });
  return rows.map(({ owner, _count, ...row }) => ({
    ...row,
    owner: owner.displayName,
    subjects: _count.subjects,
    faces: _count.enrolledFaces,
  }));
}

/** What an investigator chooses from: names and how many faces are searchable, nothing else. */
export async function listSearchableWatchlists(prisma: PrismaClient): Promise<{ id: string; name: string; faces: number }[]> {
  const rows = await prisma.watchlist.findMany({
    where: { deletedAt: null },
    orderBy: { name: 'asc' },
    select: { id: true, name: true, _count: { select: { enrolledFaces: { where: { indexState: 'indexed', expiresAt: { gt: new Date() } } } } } },
  });
  return rows.map((row) => ({ id: row.id, name: row.name, faces: row._count.enrolledFaces }));
}
