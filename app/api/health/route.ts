import { findSignedInActor } from '@/lib/server/dal/require-permission';
import { checkHealth } from '@/lib/server/health/check-health';
import { hasPermission } from '@/lib/shared/permissions';

export const dynamic = 'force-dynamic';

// A load balancer or monitor needs only "up or not", and gets it without signing in. The details
// (database engine, data path, migrations, gallery size, model hashes) describe the installation to
// whoever asks, so they are for an administrator's session only.
export async function GET() {
  const report = await checkHealth();
  const status = report.ok ? 'ok' : 'error';
  const headers = { 'Cache-Control': 'no-store' };
  const httpStatus = report.ok ? 200 : 503;
  // With the database down there is no one to recognise: the answer is the anonymous one.
  const actor = await findSignedInActor().catch(() => null);
  if (!actor || !hasPermission(actor.role, 'settings:manage')) return Response.json({ status }, { status: httpStatus, headers });
  return Response.json({ status, ...report }, { status: httpStatus, headers });
}
