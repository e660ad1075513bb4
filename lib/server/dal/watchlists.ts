import 'server-only';
import { getPrisma, type Db } from '@/lib/server/db/database';
import { isPastReviewDate } from '@/lib/server/retention/review-date';
import { WATCHLIST_TERM_FIELDS } from '@/lib/shared/schemas/watchlist';

export type WatchlistSummary = {
  id: string;
  /** Names of the investigators allowed to search it; empty for every investigator. */
  searchableBy: string[];
  /** The same investigators' ids, for the edit form. */
  searchableByIds: string[];
  /** Increases with every enrolment, erasure and edit; each search records it. */
  version: number;
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
      version: true,
      owner: { select: { displayName: true } },
      _count: { select: { subjects: { where: { deletedAt: null } }, enrolledFaces: { where: { indexState: 'indexed' } } } },
    },
  });
  const names = await namesOf(db, rows.flatMap((row) => row.searchableBy));
  return rows.map(({ owner, _count, ...row }) => ({
    ...row,
    searchableBy: row.searchableBy.map((id) => names.get(id) ?? 'a removed user'),
    searchableByIds: row.searchableBy,
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

export type SetAsideEntry = { id: string; subjectRef: string; sourceLabel: string; reason: string; message: string; imageSha256: string; createdAt: Date };

export type ResolvedSetAsideEntry = {
  id: string;
  subjectRef: string;
  sourceLabel: string;
  reason: string;
  resolution: 'enrolled' | 'dismissed';
  resolutionReason: string | null;
  resolvedBy: string;
  resolvedAt: Date;
  /** The face enrolled from it, for its thumbnail (through the enrolled-crop route); null once erased. */
  enrolledFaceId: string | null;
};

export type WatchlistDetail = WatchlistSummary & {
  createdAt: Date;
  setAside: SetAsideEntry[];
  resolvedSetAside: ResolvedSetAsideEntry[];
  pendingIndex: number;
};

export async function findWatchlistDetail(watchlistId: string, db?: Db): Promise<WatchlistDetail | null> {
  db ??= await getPrisma();
  const [summary] = await listWatchlists({ id: watchlistId }, db);
  if (!summary) return null;
  const [row, setAside, resolved, pendingIndex] = await Promise.all([
    db.watchlist.findUniqueOrThrow({ where: { id: watchlistId }, select: { createdAt: true } }),
    db.enrolmentException.findMany({
      where: { watchlistId, resolvedAt: null },
      orderBy: { createdAt: 'desc' },
      take: 200,
      select: { id: true, subjectRef: true, sourceLabel: true, reason: true, details: true, imageSha256: true, createdAt: true },
    }),
    db.enrolmentException.findMany({
      where: { watchlistId, resolvedAt: { not: null }, resolution: { not: null } },
      orderBy: { resolvedAt: 'desc' },
      take: 50,
      select: { id: true, subjectRef: true, sourceLabel: true, reason: true, resolution: true, resolutionReason: true, resolvedById: true, resolvedAt: true, enrolledFaceId: true },
    }),
    db.enrolledFace.count({ where: { watchlistId, indexState: { in: ['pending', 'deleting'] } } }),
  ]);
  const resolvers = await namesOf(db, resolved.flatMap((entry) => (entry.resolvedById ? [entry.resolvedById] : [])));
  const liveEnrolled = new Set(
    (
      await db.enrolledFace.findMany({
        where: { id: { in: resolved.flatMap((entry) => (entry.enrolledFaceId ? [entry.enrolledFaceId] : [])) }, indexState: { in: ['pending', 'indexed'] } },
        select: { id: true },
      })
    ).map((face) => face.id),
  );
  return {
    ...summary,
    createdAt: row.createdAt,
    pendingIndex,
    setAside: setAside.map(({ details, ...entry }) => ({ ...entry, message: String((details as { message?: string }).message ?? '') })),
    resolvedSetAside: resolved.map((entry) => ({
      id: entry.id,
      subjectRef: entry.subjectRef,
      sourceLabel: entry.sourceLabel,
      reason: entry.reason,
      resolution: entry.resolution === 'enrolled' ? 'enrolled' : 'dismissed',
      resolutionReason: entry.resolutionReason,
      resolvedBy: (entry.resolvedById && resolvers.get(entry.resolvedById)) || 'unknown',
      resolvedAt: entry.resolvedAt!,
      enrolledFaceId: entry.enrolledFaceId && liveEnrolled.has(entry.enrolledFaceId) ? entry.enrolledFaceId : null,
    })),
  };
}

export type SubjectRow = {
  id: string;
  reference: string;
  displayName: string;
  faces: number;
  createdAt: Date;
  /** The subject's most recently enrolled live face, shown as a thumbnail through the enrolled-crop route. */
  thumbnailFaceId: string | null;
};

const LIVE_FACE = { indexState: { in: ['pending' as const, 'indexed' as const] } };

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
    select: {
      id: true,
      reference: true,
      displayName: true,
      createdAt: true,
      enrolledFaces: { where: LIVE_FACE, orderBy: { createdAt: 'desc' }, take: 1, select: { id: true } },
      _count: { select: { enrolledFaces: { where: LIVE_FACE } } },
    },
  });
  return rows.map(({ _count, enrolledFaces, ...row }) => ({ ...row, faces: _count.enrolledFaces, thumbnailFaceId: enrolledFaces[0]?.id ?? null }));
}

/** The audit actions that make up a watch-list's history, with how the history table names them. */
const HISTORY_ACTIONS: Record<string, string> = {
  'watchlist.create': 'Created',
  'watchlist.update': 'Terms edited',
  'watchlist.update_subject': 'Subject edited',
  'watchlist.erase_subject': 'Subject erased',
  'enrolment.enrol_set_aside': 'Set-aside image enrolled',
  'enrolment.dismiss_set_aside': 'Set-aside image dismissed',
};

const FIELD_LABELS: Record<string, string> = {
  purpose: 'Purpose',
  authority: 'Legal basis',
  retentionDays: 'Retention (days)',
  reviewDate: 'Review date',
  searchableBy: 'Who may search it',
  reference: 'Reference',
  displayName: 'Name',
};

const FIELD_ORDER: string[] = [...WATCHLIST_TERM_FIELDS, 'reference', 'displayName'];

export type WatchlistChange = { field: string; previous: string; next: string };

export type WatchlistHistoryEntry = {
  sequence: string;
  at: Date;
  actorName: string;
  action: string;
  label: string;
  /** The list's version after the change, where the change recorded it. */
  version: number | null;
  /** What the change was about beyond the fields (the subject's reference, the dismissal's reason). */
  subject: string | null;
  changes: WatchlistChange[];
};

/**
 * The watch-list's history, newest first, read from the audit log (which records who, when, and the
 * previous and new value of every field an edit changed): the history is the log itself, so the two
 * cannot disagree. Only successful changes; refused attempts changed nothing.
 */
export async function listWatchlistHistory(watchlistId: string, limit = 100, db?: Db): Promise<WatchlistHistoryEntry[]> {
  db ??= await getPrisma();
  const rows = await db.auditEvent.findMany({
    where: {
      action: { in: Object.keys(HISTORY_ACTIONS) },
      outcome: 'success',
      OR: [{ targetType: 'watchlist', targetId: watchlistId }, { payload: { path: ['watchlistId'], equals: watchlistId } }],
    },
    orderBy: { sequence: 'desc' },
    take: limit,
    select: { sequence: true, createdAt: true, actorId: true, action: true, payload: true },
  });
  const payloads = rows.map((row) => (row.payload ?? {}) as Record<string, unknown>);
  const userIds = payloads.flatMap((payload) => {
    const lists = [payload.searchableBy, (payload.previous as Record<string, unknown> | undefined)?.searchableBy, (payload.next as Record<string, unknown> | undefined)?.searchableBy];
    return lists.flatMap((list) => (Array.isArray(list) ? list.filter((id): id is string => typeof id === 'string') : []));
  });
  const names = await namesOf(db, [...rows.flatMap((row) => (row.actorId ? [row.actorId] : [])), ...userIds]);
  const show = (field: string, value: unknown): string => {
    if (value === undefined || value === null) return '—';
    if (field === 'searchableBy' && Array.isArray(value)) return value.length === 0 ? 'every investigator' : value.map((id) => names.get(String(id)) ?? 'a removed user').join(', ');
    return String(value);
  };
  return rows.map((row, index) => {
    const payload = payloads[index]!;
    const previous = (payload.previous ?? {}) as Record<string, unknown>;
    const next = (payload.next ?? {}) as Record<string, unknown>;
    // In the form's order (the audit store keeps JSON keys in an order of its own).
    const fields = row.action === 'watchlist.update' || row.action === 'watchlist.update_subject' ? FIELD_ORDER.filter((field) => field in next) : [];
    const subject =
      row.action === 'watchlist.update_subject'
        ? String(previous.reference ?? next.reference ?? '') || null
        : row.action === 'watchlist.erase_subject'
          ? `${String(payload.reference ?? '')}: ${String(payload.reason ?? '')}`
          : row.action === 'enrolment.enrol_set_aside'
            ? `${String(payload.subjectReference ?? '')}, face ${String(payload.faceNumber ?? '?')} of ${String(payload.facesFound ?? '?')}`
            : row.action === 'enrolment.dismiss_set_aside'
              ? `${String(payload.subjectReference ?? '')}: ${String(payload.reason ?? '')}`
              : null;
    return {
      sequence: row.sequence.toString(),
      at: row.createdAt,
      actorName: (row.actorId && names.get(row.actorId)) || 'system',
      action: row.action,
      label: HISTORY_ACTIONS[row.action] ?? row.action,
      version: row.action === 'watchlist.create' ? 1 : typeof payload.version === 'number' ? payload.version : typeof payload.watchlistVersion === 'number' ? payload.watchlistVersion : null,
      subject,
      changes: fields.map((field) => ({ field: FIELD_LABELS[field] ?? field, previous: show(field, previous[field]), next: show(field, next[field]) })),
    };
  });
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
