import { OversightDashboard } from '@/components/oversight/oversight-dashboard';
import { summariseOversight } from '@/lib/server/dal/oversight';
import { requirePermission } from '@/lib/server/dal/require-permission';

// A supervisor's view of their own team: every search of the team counted, none of them shown.
export default async function SupervisorOversightPage() {
  const actor = await requirePermission(['disclosure:read', 'oversight:read'], '/oversight');
  return <OversightDashboard summary={await summariseOversight(actor)} exportPath="/api/oversight/export" />;
}
