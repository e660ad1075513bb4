import { authenticateApiCall } from '@/lib/server/api/api-call';
import { guardApiRoute } from '@/lib/server/api/api-response';
import { createApiSearch, digestSearchForm, readSearchForm, SEARCH_AUDIT_ACTION } from '@/lib/server/api/api-search';
import { readIdempotencyKey, respondIdempotently } from '@/lib/server/api/idempotent-post';
import { MAX_API_IMAGE_BYTES, MAX_API_SEARCH_REQUEST_BYTES } from '@/lib/shared/schemas/api-v1';

export const POST = guardApiRoute(async (request: Request) => {
  const authenticated = await authenticateApiCall(request, SEARCH_AUDIT_ACTION);
  if (!authenticated.ok) return authenticated.response;
  const { call } = authenticated;
  const refuse = call.refuse;
  // A body declared larger than any acceptable search (one photo or several together) is refused before a byte of it is read.
  const declared = Number(request.headers.get('content-length') ?? 'NaN');
  if (Number.isFinite(declared) && declared > MAX_API_SEARCH_REQUEST_BYTES) {
    return refuse('IMAGE_TOO_LARGE', `The request is ${declared} bytes; a search is at most ${MAX_API_SEARCH_REQUEST_BYTES} bytes in all, its photos together (each at most ${MAX_API_IMAGE_BYTES / 1024 / 1024} MiB).`, { action: SEARCH_AUDIT_ACTION });
  }
  if (!/^multipart\/form-data\b/i.test(request.headers.get('content-type') ?? '')) {
    return refuse('MALFORMED_REQUEST', 'Send the search as multipart/form-data.', { action: SEARCH_AUDIT_ACTION });
  }
  const formData = await request.formData().catch(() => null);
  if (!formData) return refuse('MALFORMED_REQUEST', 'The multipart form could not be read.', { action: SEARCH_AUDIT_ACTION });
  const form = await readSearchForm(formData);
  const key = readIdempotencyKey(request);
  const operatorId = form.fields.operator?.trim().slice(0, 200) || null;
  return respondIdempotently(call, request, { action: SEARCH_AUDIT_ACTION, operatorId, path: '/api/v1/searches', requestSha256: digestSearchForm(form) }, () =>
    createApiSearch(call, form, typeof key === 'string' ? key : null),
  );
});
