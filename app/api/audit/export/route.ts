import { z } from 'zod';
import { getCurrentActor } from '@/lib/server/auth/current-actor';
import { exportAuditLogForActor } from '@/lib/server/dal/audit-log';
import { AppError } from '@/lib/shared/errors';

// The audit log as a file anyone can verify with scripts/verify-audit-export.mjs. Filters are optional.
const querySchema = z.object({
  format: z.enum(['csv', 'json']).default('json'),
  actorId: z.string().uuid().optional(),
  caseId: z.string().uuid().optional(),
  action: z.string().trim().min(1).max(100).optional(),
  outcome: z.enum(['success', 'refused', 'error']).optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
});

export async function GET(request: Request): Promise<Response> {
  const actor = await getCurrentActor();
  if (!actor) return Response.json({ error: { code: 'UNAUTHENTICATED', message: 'Sign in first.' } }, { status: 401 });
  // Empty form fields arrive as "": they mean "no filter".
  const params = Object.fromEntries([...new URL(request.url).searchParams].filter(([, value]) => value !== ''));
  const query = querySchema.safeParse(params);
  if (!query.success) return Response.json({ error: { code: 'VALIDATION', message: 'Check the filters: ids are UUIDs, dates ISO 8601.' } }, { status: 400 });
  const { format, ...filter } = query.data;
  try {
    const file = await exportAuditLogForActor(actor, { format, filter });
    return new Response(file.body, {
      headers: { 'content-type': file.contentType, 'content-disposition': `attachment; filename="${file.filename}"`, 'cache-control': 'private, no-store' },
    });
  } catch (error) {
    if (error instanceof AppError) return Response.json({ error: { code: error.code, message: error.message } }, { status: error.code === 'FORBIDDEN' ? 403 : 500 });
    throw error;
  }
}
