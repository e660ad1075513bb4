import { checkHealth } from '@/lib/server/health/check-health';

export const dynamic = 'force-dynamic';

export async function GET() {
  const report = await checkHealth();
  return Response.json({ status: report.ok ? 'ok' : 'degraded', ...report }, { status: report.ok ? 200 : 503 });
}
