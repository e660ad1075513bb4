import Link from 'next/link';
import { CreateWatchlistForm } from '@/components/admin/create-watchlist-form';
import { requirePermission } from '@/lib/server/dal/require-permission';
import { listInvestigators, listWatchlists } from '@/lib/server/dal/watchlists';

export default async function WatchlistsPage() {
  await requirePermission('watchlist:manage', '/admin/watchlists');
  const [watchlists, investigators] = await Promise.all([listWatchlists(), listInvestigators()]);
  return (
    <>
      <h1>Watch-lists</h1>
      {watchlists.length === 0 ? (
        <p className="empty">
          No watch-lists yet. Create one below, then enrol a folder of images with{' '}
          <code>npm run enrol -- --watchlist NAME --dir FOLDER</code>.
        </p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Purpose</th>
              <th>Authority</th>
              <th>Subjects</th>
              <th>Faces</th>
              <th>Retention</th>
              <th>Review</th>
            </tr>
          </thead>
          <tbody>
            {watchlists.map((list) => (
              <tr key={list.id}>
                <td>
                  <Link href={`/admin/watchlists/${list.id}`}>{list.name}</Link>
                </td>
                <td>{list.purpose}</td>
                <td>{list.authority}</td>
                <td>{list.subjects}</td>
                <td>{list.faces}</td>
                <td>{list.retentionDays} days</td>
                <td>
                  {list.reviewDate.toISOString().slice(0, 10)}
                  {list.isReviewOverdue ? <span className="badge warn"> review overdue</span> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>New watch-list</h2>
      <div className="panel">
        <CreateWatchlistForm investigators={investigators} />
      </div>
    </>
  );
}
