import { AuditEventTable, AuditFilterForm } from '@/components/audit/audit-events';
import { auditListFilterSchema, olderEventsQuery } from '@/lib/shared/audit-view';
import { listAuditEvents, verifyAuditLog } from '@/lib/server/dal/audit-log';
import { requirePermission } from '@/lib/server/dal/require-permission';

const PAGE_SIZE = 100;

export default async function AuditLogPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  await requirePermission(['user:manage', 'audit:read'], '/admin/audit');
  const filter = auditListFilterSchema.parse(Object.fromEntries(Object.entries(await searchParams).filter(([, value]) => value)));
  const [events, chain] = await Promise.all([listAuditEvents({ filter, limit: PAGE_SIZE }), verifyAuditLog()]);
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
      <AuditFilterForm path="/admin/audit" filter={filter} />
      <AuditEventTable events={events} olderHref={oldest && events.length === PAGE_SIZE ? `/admin/audit?${olderEventsQuery(filter, oldest.sequence)}` : null} />
    </>
  );
}
