import Link from 'next/link';
import { listDecidedDisclosures, listOpenDisputes, listPendingDisclosures } from '@/lib/server/dal/disclosures';
import { requirePermission } from '@/lib/server/dal/require-permission';

function age(since: Date): string {
  const hours = Math.floor((Date.now() - since.getTime()) / 3_600_000);
  if (hours < 1) return 'under an hour';
  if (hours < 48) return `${hours} h`;
  return `${Math.floor(hours / 24)} days`;
}

export default async function DisclosureQueuePage() {
  const actor = await requirePermission('disclosure:read', '/disclosures');
  const [pending, disputes, decided] = await Promise.all([listPendingDisclosures(actor), listOpenDisputes(actor), listDecidedDisclosures(actor)]);
  return (
    <>
      <h1>Disclosure queue</h1>
      <p className="muted">
        Possible matches that an investigator and a blind second reviewer have both confirmed, or that you resolved as such, wait here for your
        decision, oldest first. Each opens the whole story of its search on one page.
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
              <th />
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
                <td>
                  <Link href={`/disclosures/${item.id}`} aria-label={`Open the disclosure request for ${item.subjectReference} in ${item.caseReference}`}>
                    Open
                  </Link>
                </td>
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
                  <Link href={`/disputes/${item.id}`} aria-label={`Open the dispute in ${item.caseReference}`}>
                    Open the dispute
                  </Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Recent decisions</h2>
      {decided.length === 0 ? (
        <p className="empty">No disclosure has been decided yet.</p>
      ) : (
        <table data-testid="decided-disclosures">
          <thead>
            <tr>
              <th>Decided</th>
              <th>Case</th>
              <th>Subject</th>
              <th>Decision</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {decided.map((item) => (
              <tr key={item.id}>
                <td>
                  {item.decidedAt?.toLocaleString('en-GB')} <span className="muted">by {item.decidedBy}</span>
                </td>
                <td>{item.caseReference}</td>
                <td className="mono">{item.subjectReference}</td>
                <td>
                  <span className={`badge ${item.status === 'approved' ? 'ok' : 'danger'}`}>{item.status}</span>
                </td>
                <td>
                  <Link href={`/disclosures/${item.id}`}>Open</Link>
                  {item.isPackReady ? (
                    <>
                      {' · '}
                      <a href={`/api/disclosures/${item.id}/pack`} download>
                        Download disclosure pack
                      </a>
                    </>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
