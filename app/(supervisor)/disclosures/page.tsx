import Link from 'next/link';
import { listOpenDisputes, listPendingDisclosures } from '@/lib/server/dal/disclosures';
import { requirePermission } from '@/lib/server/dal/require-permission';

function age(since: Date): string {
  const hours = Math.floor((Date.now() - since.getTime()) / 3_600_000);
  if (hours < 1) return 'under an hour';
  if (hours < 48) return `${hours} h`;
  return `${Math.floor(hours / 24)} days`;
}

export default async function DisclosureQueuePage() {
  const actor = await requirePermission('disclosure:read', '/disclosures');
  const [pending, disputes] = await Promise.all([listPendingDisclosures(actor), listOpenDisputes(actor)]);
  return (
    <>
      <h1>Disclosure queue</h1>
      <p className="muted">
        Possible matches that an investigator and a blind second reviewer have both confirmed wait here for your decision, oldest first.
      </p>
      <h2>Disclosure requests</h2>
      {pending.length === 0 ? (
        <p className="empty">No disclosure requests are waiting.</p>
      ) : (
        <table data-testid="disclosure-queue">
          <thead>
            <tr>
              <th>Waiting</th>
              <th>Case</th>
              <th>Subject</th>
              <th>Requested by</th>
              <th>Statement</th>
            </tr>
          </thead>
          <tbody>
            {pending.map((item) => (
              <tr key={item.id}>
                <td title={item.requestedAt.toLocaleString('en-GB')}>{age(item.requestedAt)}</td>
                <td>{item.caseReference}</td>
                <td className="mono">{item.subjectReference}</td>
                <td>{item.requestedBy}</td>
                <td>{item.statement}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Disputes</h2>
      <p className="muted">The two reviewers of these searches disagreed on at least one candidate.</p>
      {disputes.length === 0 ? (
        <p className="empty">No disputes are waiting.</p>
      ) : (
        <table data-testid="dispute-queue">
          <thead>
            <tr>
              <th>Waiting</th>
              <th>Case</th>
              <th>Search</th>
            </tr>
          </thead>
          <tbody>
            {disputes.map((item) => (
              <tr key={item.id}>
                <td title={item.raisedAt.toLocaleString('en-GB')}>{age(item.raisedAt)}</td>
                <td>{item.caseReference}</td>
                <td>
                  <Link href={`/cases/${item.caseId}/searches/${item.searchId}`}>Open the search</Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
