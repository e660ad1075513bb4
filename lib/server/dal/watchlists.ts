import 'server-only';
import { getPrisma, type Db } from '@/lib/server/db/database';
import { isPastReviewDate } from '@/lib/server/retention/review-date';

export type WatchlistSummary = {
  id: string;
  /** Names of the investigators allowed to search it; empty for every investigator. */
  searchableBy: string[];
  name: string;
  purpose: string;
  authority: string;
  retentionDays: number;
  reviewDate: Date;
  /** Past its review date by the same rule a search applies (searching it needs an acknowledgement). */
  isReviewOverdue: boolean;
  owner: string;
  subjects: number;
  faces: number;
};

export async function listWatchlists(only?: { id: string }, db?: Db): Promise<WatchlistSummary[]> {
  db ??= await getPrisma();
  const rows = await db.watchlist.findMany({
    where: { deletedAt: null, ...(only ? { id: only.id } : {}) },
    orderBy: { name: 'asc' },
    select: {
      id: true,
      name: true,
      purpose: true,
      authority: true,
      retentionDays: true,
      reviewDate: true,
      searchableBy: true,
      owner: { select: { displayName: true } },
      _count: { select: { subjects: { where: { deletedAt: null } }, enrolledFaces: { where: { indexState: 'indexed' } } } },
    },
  });
  const names = await namesOf(db, rows.flatMap((row) => row.searchableBy));
  return rows.map(({ owner, _count, ...row }) => ({
    ...row,
    searchableBy: row.searchableBy.map((id) => names.get(id) ?? 'a removed user'),
    isReviewOverdue: isPastReviewDate(row),
    owner: owner.displayName,
    subjects: _count.subjects,
    faces: _count.enrolledFaces,
  }));
}

/** What an investigator chooses from: the lists they may search, names and face counts, nothing else. */
export async function listSearchableWatchlists(actorId: string, db?: Db): Promise<{ id: string; name: string; faces: number; isReviewOverdue: boolean }[]> {
  db ??= await getPrisma();
  const rows = await db.watchlist.findMany({
    where: { deletedAt: null, OR: [{ searchableBy: { isEmpty: true } }, { searchableBy: { has: actorId } }] },
    orderBy: { name: 'asc' },
    select: { id: true, name: true, reviewDate: true, _count: { select: { enrolledFaces: { where: { indexState: 'indexed', expiresAt: { gt: new Date() } } } } } },
  });
  return rows.map((row) => ({ id: row.id, name: row.name, faces: row._count.enrolledFaces, isReviewOverdue: isPastReviewDate(row) }));
}

export type WatchlistDetail = WatchlistSummary & {
  createdAt: Date;
  setAside: { id: string; subjectRef: string; sourceLabel: string; reason: string; message: string; createdAt: Date }[];
  pendingIndex: number;
};

export async function findWatchlistDetail(watchlistId: string, db?: Db): Promise<WatchlistDetail | null> {
  db ??= await getPrisma();
  const [summary] = await listWatchlists({ id: watchlistId }, db);
  if (!summary) return null;
  const [row, setAside, pendingIndex] = await Promise.all([
    db.watchlist.findUniqueOrThrow({ where: { id: watchlistId }, select: { createdAt: true } }),
    db.enrolmentException.findMany({
      where: { watchlistId, resolvedAt: null },
      orderBy: { createdAt: 'desc' },
      take: 200,
      select: { id: true, subjectRef: true, sourceLabel: true, reason: true, details: true, createdAt: true },
    }),
    db.enrolledFace.count({ where: { watchlistId, indexState: { in: ['pending', 'deleting'] } } }),
  ]);
  return {
    ...summary,
    createdAt: row.createdAt,
    pendingIndex,
    setAside: setAside.map(({ details, ...entry }) => ({ ...entry, message: String((details as { message?: string }).message ?? '') })),
  };
}

export type SubjectRow = { id: string; reference: string; displayName: string; faces: number; createdAt: Date };

export async function listSubjectsOfWatchlist(watchlistId: string, filter: string, limit = 100, db?: Db): Promise<SubjectRow[]> {
  db ??= await getPrisma();
  const rows = await db.subject.findMany({
    where: {
      watchlistId,
      deletedAt: null,
      ...(filter ? { OR: [{ reference: { contains: filter, mode: 'insensitive' } }, { displayName: { contains: filter, mode: 'insensitive' } }] } : {}),
    },
    orderBy: { reference: 'asc' },
    take: limit,
    select: { id: true, reference: true, displayName: true, createdAt: true, _count: { select: { enrolledFaces: { where: { indexState: { in: ['pending', 'indexed'] } } } } } },
  });
  return rows.map(({ _count, ...row }) => ({ ...row, faces: _count.enrolledFaces }));
}

async function namesOf(db: Db, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const users = await db.user.findMany({ where: { id: { in: [...new Set(ids)] } }, select: { id: true, displayName: true } });
  return new Map(users.map((user) => [user.id, user.displayName]));
}

export async function listInvestigators(db?: Db): Promise<{ id: string; displayName: string; email: string }[]> {
  db ??= await getPrisma();
  return db.user.findMany({ where: { role: 'investigator', disabled: false }, orderBy: { displayName: 'asc' }, select: { id: true, displayName: true, email: true } });
}
