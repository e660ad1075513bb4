import { SearchPolicyForm } from '@/components/admin/search-policy-form';
import { SessionPolicyForm } from '@/components/admin/session-policy-form';
import { requirePermission } from '@/lib/server/dal/require-permission';
import { readSearchPolicyForPage, readSessionPolicyForPage } from '@/lib/server/dal/settings';

export default async function SettingsPage() {
  await requirePermission('settings:manage', '/admin/settings');
  const [policy, sessionPolicy] = await Promise.all([readSearchPolicyForPage(), readSessionPolicyForPage()]);
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
    </>
  );
}
