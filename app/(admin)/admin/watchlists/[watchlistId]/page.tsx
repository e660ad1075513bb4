import Link from 'next/link';
import { z } from 'zod';
import { DeleteWatchlistForm } from '@/components/admin/delete-watchlist-form';
import { EnrolmentUploader } from '@/components/admin/enrolment-uploader';
import { EditSubjectForm } from '@/components/admin/edit-subject-form';
import { EditWatchlistForm } from '@/components/admin/edit-watchlist-form';
import { EraseSubjectButton } from '@/components/admin/erase-subject-button';
import { ResolveSetAside } from '@/components/admin/resolve-set-aside';
import { refuseAsNotFound, requirePermission } from '@/lib/server/dal/require-permission';
import { findWatchlistDetail, listInvestigators, listSubjectsOfWatchlist, listWatchlistHistory } from '@/lib/server/dal/watchlists';

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
  const [subjects, history, investigators] = await Promise.all([listSubjectsOfWatchlist(list.id, filter), listWatchlistHistory(list.id), listInvestigators()]);
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
          <dt>Version</dt>
          <dd data-testid="watchlist-version">{list.version}</dd>
          <dt>Contents</dt>
          <dd data-testid="watchlist-contents">
            {list.subjects} subjects, {list.faces} searchable faces
            {list.pendingIndex ? `, ${list.pendingIndex} waiting for the index (run npm run reconcile if this persists)` : ''}
          </dd>
        </dl>
      </div>
      <h2>Edit the watch-list</h2>
      <div className="panel">
        <EditWatchlistForm
          watchlist={{
            id: list.id,
            purpose: list.purpose,
            authority: list.authority,
            retentionDays: list.retentionDays,
            reviewDate: list.reviewDate.toISOString().slice(0, 10),
            searchableByIds: list.searchableByIds,
          }}
          investigators={investigators}
        />
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
              <th>Face</th>
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
                <td>
                  {subject.thumbnailFaceId ? (
                    // eslint-disable-next-line @next/next/no-img-element -- authorised crop route, never optimised or cached
                    <img className="face-thumb" src={`/api/crops/enrolled/${subject.thumbnailFaceId}`} alt={`Enrolled face of ${subject.reference}`} width={64} height={64} loading="lazy" />
                  ) : (
                    <span className="muted">no face</span>
                  )}
                </td>
                <td className="mono">{subject.reference}</td>
                <td>{subject.displayName}</td>
                <td>{subject.faces}</td>
                <td>{subject.createdAt.toLocaleDateString('en-GB')}</td>
                <td>
                  <EditSubjectForm subject={subject} />
                  <EraseSubjectButton subjectId={subject.id} reference={subject.reference} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {subjects.length === 100 ? <p className="muted">Showing the first 100; filter to find others.</p> : null}
      <h2>Set aside for review</h2>
      <p className="muted">
        Images not enrolled because they showed several faces, none, or a face of poor quality. Only each image&apos;s SHA-256 is kept, not the picture
        (it may show bystanders): to resolve one, choose the same file again, then enrol the subject&apos;s face or dismiss the image with a reason.
      </p>
      {list.setAside.length === 0 ? (
        <p className="empty">Nothing set aside.</p>
      ) : (
        <table data-testid="set-aside">
          <thead>
            <tr>
              <th>Image</th>
              <th>Subject</th>
              <th>Reason</th>
              <th>When</th>
              <th>Resolve</th>
            </tr>
          </thead>
          <tbody>
            {list.setAside.map((entry) => (
              <tr key={entry.id}>
                <td>
                  <span className="mono">{entry.sourceLabel}</span>
                  <br />
                  <span className="hint muted mono" title="SHA-256 of the image">
                    {entry.imageSha256.slice(0, 16)}…
                  </span>
                </td>
                <td>{entry.subjectRef}</td>
                <td>
                  <span className="badge warn">{entry.reason.replace('_', ' ')}</span> {entry.message}
                </td>
                <td>{entry.createdAt.toLocaleString('en-GB')}</td>
                <td>
                  <ResolveSetAside exceptionId={entry.id} subjectRef={entry.subjectRef} sourceLabel={entry.sourceLabel} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {list.resolvedSetAside.length > 0 ? (
        <>
          <h3>Resolved</h3>
          <table data-testid="set-aside-resolved">
            <thead>
              <tr>
                <th>Face</th>
                <th>Image</th>
                <th>Subject</th>
                <th>How</th>
                <th>By</th>
                <th>When</th>
              </tr>
            </thead>
            <tbody>
              {list.resolvedSetAside.map((entry) => (
                <tr key={entry.id}>
                  <td>
                    {entry.enrolledFaceId ? (
                      // eslint-disable-next-line @next/next/no-img-element -- authorised crop route, never optimised or cached
                      <img className="face-thumb" src={`/api/crops/enrolled/${entry.enrolledFaceId}`} alt={`Face enrolled from ${entry.sourceLabel}`} width={64} height={64} loading="lazy" />
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                  <td className="mono">{entry.sourceLabel}</td>
                  <td>{entry.subjectRef}</td>
                  <td>{entry.resolution === 'enrolled' ? 'face enrolled' : `dismissed: ${entry.resolutionReason ?? ''}`}</td>
                  <td>{entry.resolvedBy}</td>
                  <td>{entry.resolvedAt.toLocaleString('en-GB')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
      <h2>History</h2>
      {history.length === 0 ? (
        <p className="empty">No changes recorded.</p>
      ) : (
        <table data-testid="watchlist-history">
          <thead>
            <tr>
              <th>When</th>
              <th>By</th>
              <th>Change</th>
              <th>Version</th>
              <th>Field</th>
              <th>Previous</th>
              <th>New</th>
            </tr>
          </thead>
          <tbody>
            {history.flatMap((entry) => {
              const rows = entry.changes.length ? entry.changes : [null];
              return rows.map((change, index) => (
                <tr key={`${entry.sequence}-${index}`}>
                  <td>{index === 0 ? entry.at.toLocaleString('en-GB') : ''}</td>
                  <td>{index === 0 ? entry.actorName : ''}</td>
                  <td>{index === 0 ? `${entry.label}${entry.subject ? ` (${entry.subject})` : ''}` : ''}</td>
                  <td>{index === 0 ? (entry.version ?? '') : ''}</td>
                  <td>{change?.field ?? ''}</td>
                  <td>{change?.previous ?? ''}</td>
                  <td>{change?.next ?? ''}</td>
                </tr>
              ));
            })}
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
