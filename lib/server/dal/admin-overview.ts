import 'server-only';
import { getPrisma, type Db } from '@/lib/server/db/database';

export type AdminOverviewCounts = { users: number; watchlists: number; faces: number; events: number };

/** The administration home page's figures: active users, live watch-lists, searchable faces, audit events. */
export async function countAdminOverview(db?: Db): Promise<AdminOverviewCounts> {
  db ??= await getPrisma();
  const [users, watchlists, faces, events] = await Promise.all([
    db.user.count({ where: { disabled: false } }),
    db.watchlist.count({ where: { deletedAt: null } }),
    db.enrolledFace.count({ where: { indexState: 'indexed' } }),
    db.auditEvent.count(),
  ]);
  return { users, watchlists, faces, events };
}
