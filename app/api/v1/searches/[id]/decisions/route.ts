import { authenticateApiCall } from '@/lib/server/api/api-call';
import { decideApiSearch, digestJson, DECISIONS_AUDIT_ACTION } from '@/lib/server/api/api-decisions';
import { guardApiRoute } from '@/lib/server/api/api-response';
import { respondIdempotently } from '@/lib/server/api/idempotent-post';

const MAX_BODY_CHARS = 256 * 1024;

export const POST = guardApiRoute(async (request: Request, { params }: { params: Promise<{ id: string }> }) => {
  const authenticated = await authenticateApiCall(request, DECISIONS_AUDIT_ACTION);
  if (!authenticated.ok) return authenticated.response;
  const { call } = authenticated;
  const { id } = await params;
  const text = await request.text();
  let body: unknown;
  try {
    body = text.length <= MAX_BODY_CHARS ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (body === undefined || typeof body !== 'object' || body === null) {
    return call.refuse('MALFORMED_REQUEST', 'Send the decisions as a JSON object (application/json).', { action: DECISIONS_AUDIT_ACTION });
  }
  const operatorId = typeof (body as { operator?: unknown }).operator === 'string' ? String((body as { operator: string }).operator).slice(0, 200) : null;
  return respondIdempotently(call, request, { action: DECISIONS_AUDIT_ACTION, operatorId, path: `/api/v1/searches/${id}/decisions`, requestSha256: digestJson(body) }, () => decideApiSearch(call, id, body));
});
