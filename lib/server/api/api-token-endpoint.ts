import 'server-only';
import { randomUUID } from 'node:crypto';
import { recordAuditEvent } from '@/lib/server/audit/append-audit-event';
import { requestContextFromHeaders } from '@/lib/server/audit/request-context';
import { getConfig } from '@/lib/server/config';
import type { Actor } from '@/lib/server/auth/current-actor';
import { getPrisma } from '@/lib/server/db/database';
import type { ApiProblemCode } from '@/lib/shared/schemas/api-v1';
import { actorForClient, findApiClientWithSecret, secretMatches, standingOf } from './api-clients';
import { refuseRequest } from './api-call';
import { jsonResponse } from './api-response';
import { issueAccessToken } from './api-token';
import { getRateLimiter } from './rate-limit';

export const TOKEN_AUDIT_ACTION = 'api.token';
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Client credentials from the form (RFC 6749 §2.3.1 allows the body) or from HTTP Basic. */
function readCredentials(request: Request, form: FormData | null): { clientId: string | null; clientSecret: string | null } {
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(request.headers.get('authorization') ?? '');
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return { clientId: decodeURIComponent(decoded.slice(0, colon)), clientSecret: decodeURIComponent(decoded.slice(colon + 1)) };
  }
  const text = (name: string) => {
    const value = form?.get(name);
    return typeof value === 'string' && value.length > 0 ? value : null;
  };
  return { clientId: text('client_id'), clientSecret: text('client_secret') };
}

/**
 * POST /api/v1/token: the OAuth 2.0 client-credentials grant. A short-lived signed token for a client
 * whose secret matches and which is neither revoked nor expired. Every answer is audited; the token
 * itself never is. Each call issues a fresh token, so a retry is harmless: this POST stores nothing
 * to replay (an Idempotency-Key is accepted and ignored, since keeping bearer tokens to replay them
 * would be worse than issuing another).
 */
export async function handleTokenRequest(request: Request): Promise<Response> {
  const requestId = randomUUID();
  const context = { ...requestContextFromHeaders(request.headers, { trustedProxyHops: getConfig().trustedProxyHops }), requestId };
  const prisma = await getPrisma();
  const refuse = (code: ApiProblemCode, detail: string, oauthError: string, extra: { apiClientId?: string; actor?: Actor; headers?: Record<string, string> } = {}) =>
    refuseRequest({
      prisma,
      code,
      detail,
      action: TOKEN_AUDIT_ACTION,
      context: { ...context, ...(extra.apiClientId ? { apiClientId: extra.apiClientId } : {}) },
      actor: extra.actor ?? null,
      oauthError,
      headers: { pragma: 'no-cache', ...extra.headers },
    });

  const type = request.headers.get('content-type') ?? '';
  const form = /^application\/x-www-form-urlencoded\b/i.test(type) || /^multipart\/form-data\b/i.test(type) ? await request.formData().catch(() => null) : null;
  if (!form) return refuse('MALFORMED_REQUEST', 'Send the grant as application/x-www-form-urlencoded: grant_type, client_id, client_secret.', 'invalid_request');
  const grantType = form.get('grant_type');
  if (grantType !== 'client_credentials') {
    return refuse('UNSUPPORTED_GRANT_TYPE', `Only grant_type=client_credentials is supported${typeof grantType === 'string' ? `, not "${grantType.slice(0, 40)}"` : ''}.`, 'unsupported_grant_type');
  }
  const { clientId, clientSecret } = readCredentials(request, form);
  if (!clientId || !clientSecret) return refuse('MALFORMED_REQUEST', 'Send client_id and client_secret.', 'invalid_request');
  const challenge = { 'www-authenticate': 'Basic realm="rfr-api-v1"' };
  const client = UUID_PATTERN.test(clientId) ? await findApiClientWithSecret(prisma, clientId) : null;
  // The same answer for an unknown client and a wrong secret: the endpoint does not say which ids exist.
  if (!client || !secretMatches(clientSecret, client.secretSha256)) {
    return refuse('INVALID_CLIENT', 'The client id or secret is wrong.', 'invalid_client', { headers: challenge, ...(client ? { apiClientId: client.id } : {}) });
  }
  const actor = actorForClient(client);
  const standing = standingOf(client);
  if (standing !== 'active') {
    return refuse(standing === 'revoked' ? 'CLIENT_REVOKED' : 'CLIENT_EXPIRED', `The client "${client.name}" is ${standing}.`, 'invalid_client', { apiClientId: client.id, actor, headers: challenge });
  }
  const decision = await getRateLimiter().take(client.id, client.rate);
  if (!decision.isAllowed) {
    return refuse('RATE_LIMITED', `Too many requests; try again in ${decision.retryAfterSeconds} s.`, 'slow_down', { apiClientId: client.id, actor, headers: { 'retry-after': String(decision.retryAfterSeconds) } });
  }
  const token = await issueAccessToken(client);
  await recordAuditEvent(prisma, {
    actorId: actor.id,
    actorRole: actor.role,
    action: TOKEN_AUDIT_ACTION,
    outcome: 'success',
    targetType: 'api_client',
    targetId: client.id,
    payload: { expiresIn: token.expiresIn },
    request: { ...context, apiClientId: client.id },
  });
  return jsonResponse(200, { access_token: token.accessToken, token_type: 'Bearer', expires_in: token.expiresIn }, { pragma: 'no-cache' });
}
