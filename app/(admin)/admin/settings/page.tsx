import { SearchPolicyForm } from '@/components/admin/search-policy-form';
import { SessionPolicyForm } from '@/components/admin/session-policy-form';
import { requirePermission } from '@/lib/server/dal/require-permission';
import { readRetentionPolicyForPage, readSearchPolicyForPage, readSessionPolicyForPage } from '@/lib/server/dal/settings';
import { RetentionPolicyForm } from '@/components/admin/retention-policy-form';
import { listPolicyChanges } from '@/lib/server/dal/model-registry';

export default async function SettingsPage() {
  await requirePermission('settings:manage', '/admin/settings');
  const [policy, sessionPolicy, retention, changes] = await Promise.all([readSearchPolicyForPage(), readSessionPolicyForPage(), readRetentionPolicyForPage(), listPolicyChanges()]);
  return (
    <>
      <h1>Search policy</h1>
      <div className="panel">
        <SearchPolicyForm listSize={policy.listSize} minimumQuality={policy.minimumQuality} isFirstReviewBlind={policy.isFirstReviewBlind} />
      </div>
      <h2>Sessions</h2>
      <div className="panel">
        <SessionPolicyForm absoluteMinutes={sessionPolicy.absoluteMinutes} idleMinutes={sessionPolicy.idleMinutes} />
      </div>
      <h2>Retention</h2>
      <div className="panel">
        <RetentionPolicyForm policy={retention} />
      </div>
      <h2>History</h2>
      {changes.length === 0 ? (
        <p className="empty">No policy has been changed yet: the defaults apply.</p>
      ) : (
        <table data-testid="policy-history">
          <thead>
            <tr>
              <th>When</th>
              <th>Setting</th>
              <th>By (user id)</th>
              <th>Previous</th>
              <th>New</th>
            </tr>
          </thead>
          <tbody>
            {changes.map((change) => (
              <tr key={change.sequence}>
                <td>{change.at.toLocaleString('en-GB')}</td>
                <td className="mono">{change.action.replace('settings.update_', '')}</td>
                <td className="mono">{change.actorId}</td>
                <td className="mono">{JSON.stringify(change.previous)}</td>
                <td className="mono">{JSON.stringify(change.next)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
