import Link from 'next/link';
import { countAdminOverview } from '@/lib/server/dal/admin-overview';
import { requirePermission } from '@/lib/server/dal/require-permission';

export default async function AdminOverviewPage() {
  await requirePermission('user:manage', '/admin');
  const { users, watchlists, faces, events } = await countAdminOverview();
  return (
    <>
      <h1>Administration</h1>
      <div className="grid-2">
        <Link className="panel" href="/admin/users">
          <div className="stat">{users}</div>
          <div className="muted">active users</div>
        </Link>
        <Link className="panel" href="/admin/watchlists">
          <div className="stat">{watchlists}</div>
          <div className="muted">watch-lists, {faces} enrolled faces</div>
        </Link>
        <Link className="panel" href="/admin/audit">
          <div className="stat">{events}</div>
          <div className="muted">audit events</div>
        </Link>
      </div>
      {watchlists === 0 ? (
        <p className="empty">
          No watch-lists yet. <Link href="/admin/watchlists">Create one</Link>, then enrol a folder of images with{' '}
          <code>npm run enrol -- --watchlist NAME --dir FOLDER</code> (one sub-folder per subject).
        </p>
      ) : null}
    </>
  );
}
