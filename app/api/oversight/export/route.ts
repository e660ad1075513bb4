import { z } from 'zod';
import { getCurrentActor } from '@/lib/server/auth/current-actor';
import { DEFAULT_OVERSIGHT_WEEKS, exportOversightSummary, MAX_OVERSIGHT_WEEKS } from '@/lib/server/dal/oversight';
import { AppError, type ErrorCode } from '@/lib/shared/errors';

// The oversight figures as a file: the same scope and permission as the page (the DAL decides both)
// and an audit record for every download or refusal.
const querySchema = z.object({
  format: z.enum(['csv', 'json']).default('csv'),
  weeks: z.coerce.number().int().min(1).max(MAX_OVERSIGHT_WEEKS).default(DEFAULT_OVERSIGHT_WEEKS),
});

const STATUS: Partial<Record<ErrorCode, number>> = { FORBIDDEN: 403, VALIDATION: 400, AUDIT_UNAVAILABLE: 503 };

function failure(code: ErrorCode, message: string): Response {
  return Response.json({ error: { code, message } }, { status: STATUS[code] ?? 500, headers: { 'cache-control': 'no-store' } });
}

export async function GET(request: Request): Promise<Response> {
  const actor = await getCurrentActor();
  if (!actor) return Response.json({ error: { code: 'UNAUTHENTICATED', message: 'Sign in first.' } }, { status: 401 });
  const query = querySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!query.success) return failure('VALIDATION', `Ask for format=csv or format=json and weeks from 1 to ${MAX_OVERSIGHT_WEEKS}.`);
  try {
    const file = await exportOversightSummary(actor, query.data);
    return new Response(file.body, {
      headers: {
        'content-type': file.contentType,
        'content-disposition': `attachment; filename="${file.filename}"`,
        'cache-control': 'private, no-store',
      },
    });
  } catch (error) {
    if (error instanceof AppError) return failure(error.code, error.message);
    throw error;
  }
}
