import { SearchPolicyForm } from '@/components/admin/search-policy-form';
import { getPrisma } from '@/lib/server/db/database';
import { requirePermission } from '@/lib/server/dal/require-permission';
import { readSearchPolicy } from '@/lib/server/settings/search-policy';

export default async function SettingsPage() {
  await requirePermission('settings:manage', '/admin/settings');
  const policy = await readSearchPolicy(await getPrisma());
  return (
    <>
      <h1>Search policy</h1>
      <div className="panel">
        <SearchPolicyForm listSize={policy.listSize} minimumQuality={policy.minimumQuality} isFirstReviewBlind={policy.isFirstReviewBlind} />
      </div>
    </>
  );
}
