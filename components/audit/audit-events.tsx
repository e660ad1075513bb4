import Link from 'next/link';
import type { AuditEventView, AuditListFilter } from '@/lib/shared/audit-view';

const OUTCOMES = ['success', 'refused', 'error'] as const;

/** Filters for the audit viewer: a plain GET form, so a filtered view is a link that can be shared. */
export function AuditFilterForm({ path, filter }: { path: string; filter: AuditListFilter }) {
  return (
    <form className="row panel" method="get" action={path} aria-label="Filter audit events">
      <label>
        User id
        <input name="actorId" defaultValue={filter.actorId ?? ''} style={{ width: '18rem' }} />
      </label>
      <label>
        Action
        <input name="action" defaultValue={filter.action ?? ''} placeholder="e.g. review.commit" />
      </label>
      <label>
        Outcome
        <select name="outcome" defaultValue={filter.outcome ?? ''}>
          <option value="">any</option>
          {OUTCOMES.map((outcome) => (
            <option key={outcome} value={outcome}>
              {outcome}
            </option>
          ))}
        </select>
      </label>
      <label>
        From
        <input name="from" type="date" defaultValue={filter.from?.toISOString().slice(0, 10) ?? ''} />
      </label>
      <label>
        Until
        <input name="to" type="date" defaultValue={filter.to?.toISOString().slice(0, 10) ?? ''} />
      </label>
      <button className="button secondary" type="submit">
        Filter
      </button>
      <Link href={path}>Clear</Link>
    </form>
  );
}

export function AuditEventTable({ events, olderHref }: { events: AuditEventView[]; olderHref: string | null }) {
  if (events.length === 0) return <p className="empty">No audit events match.</p>;
  return (
    <>
      <table data-testid="audit-events">
        <thead>
          <tr>
            <th>#</th>
            <th>Time</th>
            <th>Actor</th>
            <th>Action</th>
            <th>Outcome</th>
            <th>Target</th>
            <th>Details</th>
          </tr>
        </thead>
        <tbody>
          {events.map((event) => (
            <tr key={event.sequence}>
              <td className="mono">{event.sequence}</td>
              <td>{event.createdAt.toLocaleString('en-GB')}</td>
              <td>{event.actorRole ?? <span className="muted">anonymous</span>}</td>
              <td className="mono">{event.action}</td>
              <td>
                <span className={`badge ${event.outcome === 'success' ? 'ok' : event.outcome === 'refused' ? 'warn' : 'danger'}`}>{event.outcome}</span>
              </td>
              <td className="mono">{event.targetType ? `${event.targetType}:${event.targetId ?? ''}` : ''}</td>
              <td className="mono">{JSON.stringify(event.payload)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {olderHref ? (
        <p>
          <Link href={olderHref}>Older events</Link>
        </p>
      ) : null}
    </>
  );
}
