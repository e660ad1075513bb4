import Link from 'next/link';
import { notFound } from 'next/navigation';
import { z } from 'zod';
import { EnrolmentUploader } from '@/components/admin/enrolment-uploader';
import { getPrisma } from '@/lib/server/db/database';
import { requirePermission } from '@/lib/server/dal/require-permission';
import { findWatchlistDetail } from '@/lib/server/dal/watchlists';

export default async function WatchlistPage({ params }: { params: Promise<{ watchlistId: string }> }) {
  await requirePermission('watchlist:manage', '/admin/watchlists/[watchlistId]');
  const { watchlistId } = await params;
  const id = z.string().uuid().safeParse(watchlistId);
  const list = id.success ? await findWatchlistDetail(await getPrisma(), id.data) : null;
  if (!list) notFound();
  return (
    <>
      <p>
        <Link href="/admin/watchlists">← Watch-lists</Link>
      </p>
      <h1>{list.name}</h1>
      <div className="panel">
        <dl className="facts">
          <dt>Purpose</dt>
          <dd>{list.purpose}</dd>
          <dt>Authority</dt>
          <dd>{list.authority}</dd>
          <dt>Owner</dt>
          <dd>{list.owner}</dd>
          <dt>Retention</dt>
          <dd>{list.retentionDays} days from enrolment</dd>
          <dt>Next review</dt>
          <dd>{list.reviewDate.toISOString().slice(0, 10)}</dd>
          <dt>Contents</dt>
          <dd data-testid="watchlist-contents">
            {list.subjects} subjects, {list.faces} searchable faces
            {list.pendingIndex ? `, ${list.pendingIndex} waiting for the index (run npm run reconcile if this persists)` : ''}
          </dd>
        </dl>
      </div>
      <h2>Enrol images</h2>
      <EnrolmentUploader watchlistId={list.id} />
      <p className="muted">
        For large folders use the command line (with the server stopped when running on the embedded store):{' '}
        <code>npm run enrol -- --watchlist &quot;{list.name}&quot; --dir FOLDER</code>
      </p>
      <h2>Set aside for review</h2>
      {list.setAside.length === 0 ? (
        <p className="empty">Nothing set aside.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Image</th>
              <th>Subject</th>
              <th>Reason</th>
              <th>When</th>
            </tr>
          </thead>
          <tbody>
            {list.setAside.map((entry) => (
              <tr key={entry.id}>
                <td className="mono">{entry.sourceLabel}</td>
                <td>{entry.subjectRef}</td>
                <td>
                  <span className="badge warn">{entry.reason.replace('_', ' ')}</span> {entry.message}
                </td>
                <td>{entry.createdAt.toLocaleString('en-GB')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
