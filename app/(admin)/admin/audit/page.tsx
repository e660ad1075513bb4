import Link from 'next/link';
import { listAuditEvents, verifyAuditLog } from '@/lib/server/dal/audit-log';
import { requirePermission } from '@/lib/server/dal/require-permission';

const PAGE_SIZE = 100;

export default async function AuditLogPage({ searchParams }: { searchParams: Promise<{ before?: string }> }) {
  await requirePermission('audit:read', '/admin/audit');
  const { before } = await searchParams;
  const beforeSequence = before && /^\d{1,18}$/.test(before) ? BigInt(before) : undefined;
  const [events, chain] = await Promise.all([listAuditEvents({ beforeSequence, limit: PAGE_SIZE }), verifyAuditLog()]);
  const oldest = events.at(-1);
  return (
    <>
      <h1>Audit log</h1>
      <p className={`alert ${chain.ok ? 'ok' : 'error'}`} role="status" data-testid="chain-status">
        {chain.ok
          ? `Hash chain intact: ${chain.events} ${chain.mode === 'incremental' ? `new events verified after event ${chain.fromSequence}` : 'events verified'}${chain.checkpoint ? `; last signed checkpoint at event ${chain.checkpoint.sequence}, ${chain.checkpoint.time}` : '; no signed checkpoint yet'}.`
          : `Hash chain BROKEN at event ${chain.brokenAt ?? '?'}: ${chain.reason}.`}
      </p>
      <details className="panel">
        <summary>Export for outside verification</summary>
        <form className="grid-2" method="get" action="/api/audit/export" style={{ marginTop: '0.75rem' }}>
          <label>
            Format
            <select name="format" defaultValue="json">
              <option value="json">JSON (with the signed checkpoint and public key)</option>
              <option value="csv">CSV</option>
            </select>
          </label>
          <label>
            Action
            <input name="action" placeholder="e.g. search.run" />
          </label>
          <label>
            Outcome
            <select name="outcome" defaultValue="">
              <option value="">any</option>
              <option value="success">success</option>
              <option value="refused">refused</option>
              <option value="error">error</option>
            </select>
          </label>
          <label>
            User id
            <input name="actorId" />
          </label>
          <label>
            Case id
            <input name="caseId" />
          </label>
          <label>
            From
            <input name="from" type="date" />
          </label>
          <label>
            Until
            <input name="to" type="date" />
          </label>
          <p className="muted">
            Check an export anywhere with <code>node scripts/verify-audit-export.mjs FILE.json --public-key audit-anchor-key.pub.pem</code>. The
            export itself is audited.
          </p>
          <button className="button" type="submit">
            Download export
          </button>
        </form>
      </details>
      <table>
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
                <span className={`badge ${event.outcome === 'success' ? 'ok' : event.outcome === 'refused' ? 'warn' : 'danger'}`}>
                  {event.outcome}
                </span>
              </td>
              <td className="mono">{event.targetType ? `${event.targetType}:${event.targetId ?? ''}` : ''}</td>
              <td className="mono">{JSON.stringify(event.payload)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {oldest && events.length === PAGE_SIZE ? (
        <p>
          <Link href={`/admin/audit?before=${oldest.sequence}`}>Older events</Link>
        </p>
      ) : null}
    </>
  );
}
