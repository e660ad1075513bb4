import Link from 'next/link';
import { OpenCaseForm } from '@/components/cases/open-case-form';
import { getPrisma } from '@/lib/server/db/database';
import { listCasesForActor } from '@/lib/server/dal/cases';
import { requirePermission } from '@/lib/server/dal/require-permission';

export default async function CasesPage() {
  const actor = await requirePermission('case:read', '/cases');
  const cases = await listCasesForActor(await getPrisma(), actor);
  return (
    <>
      <h1>Cases</h1>
      {cases.length === 0 ? (
        <p className="empty">You have no cases yet. Open one below: a search always belongs to a case.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Reference</th>
              <th>Offence</th>
              <th>Status</th>
              <th>Opened</th>
            </tr>
          </thead>
          <tbody>
            {cases.map((item) => (
              <tr key={item.id}>
                <td>
                  <Link href={`/cases/${item.id}`}>{item.reference}</Link>
                </td>
                <td>{item.offence}</td>
                <td>
                  <span className={`badge ${item.status === 'open' ? 'ok' : 'muted'}`}>{item.status}</span>
                </td>
                <td>{item.openedAt.toLocaleString('en-GB')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Open a case</h2>
      <div className="panel">
        <OpenCaseForm />
      </div>
    </>
  );
}
