import Link from 'next/link';
import { z } from 'zod';
import { DeleteWatchlistForm } from '@/components/admin/delete-watchlist-form';
import { EnrolmentUploader } from '@/components/admin/enrolment-uploader';
import { EraseSubjectButton } from '@/components/admin/erase-subject-button';
import { refuseAsNotFound, requirePermission } from '@/lib/server/dal/require-permission';
import { findWatchlistDetail, listSubjectsOfWatchlist } from '@/lib/server/dal/watchlists';

export default async function WatchlistPage({
  params,
  searchParams,
}: {
  params: Promise<{ watchlistId: string }>;
  searchParams: Promise<{ q?: string }>;
}) {
  const actor = await requirePermission('watchlist:manage', '/admin/watchlists/[watchlistId]');
  const { watchlistId } = await params;
  const filter = ((await searchParams).q ?? '').slice(0, 100);
  const id = z.string().uuid().safeParse(watchlistId);
  const list = id.success ? await findWatchlistDetail(id.data) : null;
  if (!list) return refuseAsNotFound(actor, '/admin/watchlists/[watchlistId]', watchlistId);
  const subjects = await listSubjectsOfWatchlist(list.id, filter);
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
          <dt>Who may search it</dt>
          <dd>{list.searchableBy.length ? list.searchableBy.join(', ') : 'every investigator'}</dd>
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
      <h2>Subjects</h2>
      <form className="row" role="search">
        <input name="q" defaultValue={filter} placeholder="Filter by reference or name" aria-label="Filter subjects" />
        <button className="button secondary" type="submit">
          Filter
        </button>
      </form>
      {subjects.length === 0 ? (
        <p className="empty">{filter ? 'No subject matches.' : 'No subjects enrolled yet.'}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Reference</th>
              <th>Name</th>
              <th>Faces</th>
              <th>Enrolled</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {subjects.map((subject) => (
              <tr key={subject.id}>
                <td className="mono">{subject.reference}</td>
                <td>{subject.displayName}</td>
                <td>{subject.faces}</td>
                <td>{subject.createdAt.toLocaleDateString('en-GB')}</td>
                <td>
                  <EraseSubjectButton subjectId={subject.id} reference={subject.reference} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {subjects.length === 100 ? <p className="muted">Showing the first 100; filter to find others.</p> : null}
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
      <h2>Delete this watch-list</h2>
      <div className="panel">
        <DeleteWatchlistForm watchlistId={list.id} name={list.name} />
      </div>
    </>
  );
}
