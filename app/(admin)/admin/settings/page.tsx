import { SearchPolicyForm } from '@/components/admin/search-policy-form';
import { requirePermission } from '@/lib/server/dal/require-permission';
import { readSearchPolicyForPage } from '@/lib/server/dal/settings';

export default async function SettingsPage() {
  await requirePermission('settings:manage', '/admin/settings');
  const policy = await readSearchPolicyForPage();
  return (
    <>
      <h1>Search policy</h1>
      <div className="panel">
        <SearchPolicyForm listSize={policy.listSize} minimumQuality={policy.minimumQuality} isFirstReviewBlind={policy.isFirstReviewBlind} />
      </div>
    </>
  );
}
