import { getPrisma } from '@/lib/server/db/database';
import { listPendingDisclosures } from '@/lib/server/dal/disclosures';
import { requirePermission } from '@/lib/server/dal/require-permission';

export default async function DisclosureQueuePage() {
  await requirePermission('disclosure:read', '/disclosures');
  const pending = await listPendingDisclosures(await getPrisma());
  return (
    <>
      <h1>Disclosure queue</h1>
      <p className="muted">
        Possible matches that an investigator and a second reviewer have both confirmed wait here for your decision.
      </p>
      {pending.length === 0 ? (
        <p className="empty">No disclosure requests are waiting.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Requested</th>
              <th>Case</th>
              <th>Subject</th>
              <th>By</th>
              <th>Rationale</th>
            </tr>
          </thead>
          <tbody>
            {pending.map((item) => (
              <tr key={item.id}>
                <td>{item.requestedAt.toLocaleString('en-GB')}</td>
                <td>{item.caseReference}</td>
                <td>{item.subjectReference}</td>
                <td>{item.requestedBy}</td>
                <td>{item.requestRationale}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
