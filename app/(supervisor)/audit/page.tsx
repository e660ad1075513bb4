import { AuditEventTable, AuditFilterForm } from '@/components/audit/audit-events';
import { listTeamAuditEvents } from '@/lib/server/dal/audit-log';
import { requirePermission } from '@/lib/server/dal/require-permission';
import { auditListFilterSchema, olderEventsQuery } from '@/lib/shared/audit-view';

const PAGE_SIZE = 100;

export default async function TeamAuditPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const actor = await requirePermission(['disclosure:read', 'audit:read'], '/audit');
  const filter = auditListFilterSchema.parse(Object.fromEntries(Object.entries(await searchParams).filter(([, value]) => value)));
  const events = await listTeamAuditEvents(actor, { filter, limit: PAGE_SIZE });
  const oldest = events.at(-1);
  return (
    <>
      <h1>Team audit log</h1>
      <p className="muted">What the members of your team did, and what was refused them, newest first. Opening this page is itself recorded.</p>
      <AuditFilterForm path="/audit" filter={filter} />
      <AuditEventTable events={events} olderHref={oldest && events.length === PAGE_SIZE ? `/audit?${olderEventsQuery(filter, oldest.sequence)}` : null} />
    </>
  );
}
