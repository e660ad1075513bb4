import Link from 'next/link';
import { requirePermission } from '@/lib/server/dal/require-permission';
import { listSecondReviewQueue } from '@/lib/server/dal/searches';

export default async function SecondReviewQueuePage() {
  const actor = await requirePermission('adjudication:record', '/reviews');
  const queue = await listSecondReviewQueue(actor);
  return (
    <>
      <h1>Second review</h1>
      <p className="muted">
        Searches of your team where the first reviewer found a possible match. Opening one takes it: you will see the probe and the candidates in a
        shuffled order, with no names, scores, ranks or first decisions, and decide each candidate yourself.
      </p>
      {queue.length === 0 ? (
        <p className="empty">No searches are waiting for a second review.</p>
      ) : (
        <table data-testid="second-review-queue">
          <thead>
            <tr>
              <th>Case</th>
              <th>Waiting since</th>
              <th>Candidates</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {queue.map((item) => (
              <tr key={item.searchId}>
                <td>{item.caseReference}</td>
                <td>{item.waitingSince.toLocaleString('en-GB')}</td>
                <td>{item.candidates}</td>
                <td>
                  {item.isMyFirstReview ? (
                    <span className="muted">Your first review: another investigator must take it</span>
                  ) : (
                    <Link href={`/reviews/${item.searchId}`} prefetch={false}>
                      {item.isTakenByMe ? `Continue second review of ${item.caseReference}` : `Take second review of ${item.caseReference}`}
                    </Link>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
