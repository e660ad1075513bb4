import { SearchPolicyForm } from '@/components/admin/search-policy-form';
import { SessionPolicyForm } from '@/components/admin/session-policy-form';
import { requirePermission } from '@/lib/server/dal/require-permission';
import { readRetentionPolicyForPage, readSearchPolicyForPage, readSessionPolicyForPage } from '@/lib/server/dal/settings';
import { RetentionPolicyForm } from '@/components/admin/retention-policy-form';

export default async function SettingsPage() {
  await requirePermission('settings:manage', '/admin/settings');
  const [policy, sessionPolicy, retention] = await Promise.all([readSearchPolicyForPage(), readSessionPolicyForPage(), readRetentionPolicyForPage()]);
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
    </>
  );
}
