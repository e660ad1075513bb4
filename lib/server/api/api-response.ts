import 'server-only';
import type { ApiProblem, ApiProblemCode } from '@/lib/shared/schemas/api-v1';

const TITLES: Record<ApiProblemCode, string> = {
  UNAUTHENTICATED: 'Authentication required',
  TOKEN_EXPIRED: 'Access token expired',
  INVALID_CLIENT: 'Client authentication failed',
  CLIENT_REVOKED: 'Client revoked',
  CLIENT_EXPIRED: 'Client expired',
  UNSUPPORTED_GRANT_TYPE: 'Unsupported grant type',
  FORBIDDEN: 'Not allowed',
  WATCHLIST_NOT_ALLOWED: 'Watch-list not allowed for this client',
  NOT_FOUND: 'Not found',
  VALIDATION: 'Invalid request',
  MODEL_MISMATCH: 'Wrong recogniser',
  EMBEDDING_MISMATCH: 'Embedding does not match the crop',
  INVALID_CROP: 'Invalid face crop',
  NO_FACE: 'No face found',
  QUALITY_BELOW_POLICY: 'Face quality below policy',
  IMAGE_TOO_LARGE: 'Image too large',
  UNSUPPORTED_MEDIA_TYPE: 'Not a supported image',
  MALFORMED_REQUEST: 'Malformed request',
  CONFLICT: 'Conflict',
  CASE_CLOSED: 'Case closed',
  IDEMPOTENCY_KEY_REUSED: 'Idempotency key reused with a different request',
  IDEMPOTENCY_IN_PROGRESS: 'Request with this idempotency key still in progress',
  RATE_LIMITED: 'Too many requests',
  AUDIT_UNAVAILABLE: 'Audit log unavailable',
  UNAVAILABLE: 'Service unavailable',
  INTERNAL: 'Internal error',
};

export const STATUS_OF: Record<ApiProblemCode, number> = {
  UNAUTHENTICATED: 401,
  TOKEN_EXPIRED: 401,
  INVALID_CLIENT: 401,
  CLIENT_REVOKED: 401,
  CLIENT_EXPIRED: 401,
  UNSUPPORTED_GRANT_TYPE: 400,
  FORBIDDEN: 403,
  WATCHLIST_NOT_ALLOWED: 403,
  NOT_FOUND: 404,
  VALIDATION: 422,
  MODEL_MISMATCH: 422,
  EMBEDDING_MISMATCH: 422,
  INVALID_CROP: 422,
  NO_FACE: 422,
  QUALITY_BELOW_POLICY: 422,
  IMAGE_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  MALFORMED_REQUEST: 400,
  CONFLICT: 409,
  CASE_CLOSED: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  IDEMPOTENCY_IN_PROGRESS: 409,
  RATE_LIMITED: 429,
  AUDIT_UNAVAILABLE: 503,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

export function problemDocument(code: ApiProblemCode, detail: string, eventId: string, extra: { errors?: Record<string, string[]>; error?: string } = {}): ApiProblem {
  return {
    type: `urn:rfr-api:problem:${code.toLowerCase().replaceAll('_', '-')}`,
    title: TITLES[code],
    status: STATUS_OF[code],
    detail,
    code,
    eventId,
    ...(extra.errors ? { errors: extra.errors } : {}),
    ...(extra.error ? { error: extra.error } : {}),
  };
}

// Nothing the API returns may be kept by a shared cache: every answer is about people's faces or keys.
const NO_STORE = { 'cache-control': 'no-store' };

export function problemResponse(problem: ApiProblem, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(problem), { status: problem.status, headers: { 'content-type': 'application/problem+json', ...NO_STORE, ...headers } });
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...NO_STORE, ...headers } });
}

/** A stored response (an idempotent replay): problem documents keep their media type. */
export function storedResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return status >= 400 ? problemResponse(body as ApiProblem, headers) : jsonResponse(status, body, headers);
}

/**
 * Any exception a route did not expect becomes a 500 problem document with an id that is also in the
 * server log; nothing of the exception reaches the client.
 */
export function guardApiRoute<Args extends unknown[]>(handler: (...args: Args) => Promise<Response>): (...args: Args) => Promise<Response> {
  return async (...args: Args) => {
    try {
      return await handler(...args);
    } catch (error) {
      const eventId = crypto.randomUUID();
      console.error(`[api] ${eventId} unexpected failure`, error);
      return problemResponse(problemDocument('INTERNAL', 'Something went wrong. Quote the event id to support.', eventId));
    }
  };
}
