import { OversightDashboard } from '@/components/oversight/oversight-dashboard';
import { summariseOversight } from '@/lib/server/dal/oversight';
import { requirePermission } from '@/lib/server/dal/require-permission';

// The same figures across all teams: administrators answer for the system, yet still see no casework.
export default async function AdminOversightPage() {
  const actor = await requirePermission(['user:manage', 'oversight:read'], '/admin/oversight');
  return <OversightDashboard summary={await summariseOversight(actor)} exportPath="/api/oversight/export" />;
}
