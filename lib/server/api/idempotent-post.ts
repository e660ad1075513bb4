import 'server-only';
import type { ApiCall } from './api-call';
import { storedResponse } from './api-response';
import { claimIdempotencyKey, completeIdempotencyKey, releaseIdempotencyKey } from './idempotency-store';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export type PostOutcome = { status: number; body: unknown; response: Response };

/** The Idempotency-Key header if well-formed; `invalid` if sent but not usable; null if absent. */
export function readIdempotencyKey(request: Request): string | null | 'invalid' {
  const value = request.headers.get(IDEMPOTENCY_HEADER);
  if (value === null) return null;
  return KEY_PATTERN.test(value) ? value : 'invalid';
}

/**
 * Runs a POST at most once per Idempotency-Key: the first request does the work and its response (a
 * refusal too) is stored; a retry with the same request gets that response back with
 * `Idempotency-Replayed: true`; the same key with another request is 422, and one still being worked
 * on is 409. A failure on our side (5xx) forgets the key, so the retry is done afresh.
 */
export async function respondIdempotently(
  call: ApiCall,
  request: Request,
  options: { action: string; operatorId: string | null; path: string; requestSha256: string },
  produce: () => Promise<PostOutcome>,
): Promise<Response> {
  const key = readIdempotencyKey(request);
  if (key === 'invalid') {
    return call.refuse('MALFORMED_REQUEST', 'The Idempotency-Key must be 1–255 printable ASCII characters without spaces.', { action: options.action, operatorId: options.operatorId, errors: { 'Idempotency-Key': ['Malformed.'] } });
  }
  if (key === null) return (await produce()).response;
  const identity = { clientId: call.client.id, key };
  const claim = await claimIdempotencyKey(call.prisma, { ...identity, method: request.method, path: options.path, requestSha256: options.requestSha256 });
  if (claim.kind === 'replay') {
    await call.audit({ action: options.action, outcome: 'success', operatorId: options.operatorId, payload: { idempotencyReplay: true, status: claim.status } });
    return storedResponse(claim.status, claim.body, { 'idempotency-replayed': 'true' });
  }
  if (claim.kind === 'mismatch') {
    return call.refuse('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used for a different request; use a new key for a new request.', { action: options.action, operatorId: options.operatorId });
  }
  if (claim.kind === 'in_progress') {
    return call.refuse('IDEMPOTENCY_IN_PROGRESS', 'A request with this Idempotency-Key is still being processed; retry shortly.', { action: options.action, operatorId: options.operatorId, headers: { 'retry-after': '1' } });
  }
  let outcome: PostOutcome;
  try {
    outcome = await produce();
  } catch (error) {
    await releaseIdempotencyKey(call.prisma, identity);
    throw error;
  }
  if (outcome.status >= 500) await releaseIdempotencyKey(call.prisma, identity);
  else await completeIdempotencyKey(call.prisma, identity, outcome);
  return outcome.response;
}
