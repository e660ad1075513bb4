import Link from 'next/link';
import { OpenCaseForm } from '@/components/cases/open-case-form';
import { listCasesForActor, type CaseSummary } from '@/lib/server/dal/cases';
import { requirePermission } from '@/lib/server/dal/require-permission';

function CaseTable({ cases, label, showOpener }: { cases: CaseSummary[]; label: string; showOpener: boolean }) {
  return (
    <table aria-label={label}>
      <thead>
        <tr>
          <th>Reference</th>
          <th>Offence</th>
          <th>Status</th>
          <th>Opened</th>
          {showOpener ? <th>By</th> : null}
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
            {showOpener ? <td>{item.openedBy}</td> : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export default async function CasesPage() {
  const actor = await requirePermission('case:read', '/cases');
  const { mine, team } = await listCasesForActor(actor);
  return (
    <>
      <h1>Cases</h1>
      <h2>My cases</h2>
      {mine.length === 0 ? (
        <p className="empty">You have no cases yet. Open one below: a search always belongs to a case.</p>
      ) : (
        <CaseTable cases={mine} label="My cases" showOpener={false} />
      )}
      <h2>Team cases</h2>
      {team.length === 0 ? (
        <p className="empty">No one else in your team has opened a case.</p>
      ) : (
        <CaseTable cases={team} label="Team cases" showOpener />
      )}
      <h2>Open a case</h2>
      <div className="panel">
        {actor.teamId ? <OpenCaseForm /> : <p className="muted">You are not in a team yet. Ask an administrator to assign you to one.</p>}
      </div>
    </>
  );
}
