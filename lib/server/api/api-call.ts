import 'server-only';
import { randomUUID } from 'node:crypto';
import { createActionDefiner } from '@/lib/server/actions/create-action-definer';
import { recordAuditEvent } from '@/lib/server/audit/append-audit-event';
import { requestContextFromHeaders, type RequestContext } from '@/lib/server/audit/request-context';
import type { Actor } from '@/lib/server/auth/current-actor';
import { getConfig } from '@/lib/server/config';
import { getPrisma } from '@/lib/server/db/database';
import type { PrismaClient } from '@/lib/server/generated/prisma/client';
import type { ActionError } from '@/lib/shared/errors';
import { operatorSchema, type ApiProblemCode } from '@/lib/shared/schemas/api-v1';
import { actorForClient, findApiClient, standingOf, type ApiClientRecord } from './api-clients';
import { problemDocument, problemResponse } from './api-response';
import { verifyAccessToken } from './api-token';
import { getRateLimiter } from './rate-limit';

/** The header a GET names the officer with (POSTs carry `operator` in the body). */
export const OPERATOR_HEADER = 'x-operator-id';

export type ApiAuditEntry = {
  action: string;
  outcome: 'success' | 'refused' | 'error';
  operatorId: string | null;
  targetType?: string;
  targetId?: string;
  payload?: Record<string, unknown>;
};

export type RefuseOptions = { action: string; operatorId?: string | null; errors?: Record<string, string[]>; headers?: Record<string, string>; payload?: Record<string, unknown> };

/** One authenticated call to /api/v1: who it is for, and how it is audited. */
export type ApiCall = {
  client: ApiClientRecord;
  /** The client's service account, as the action wrapper's signed-in user. */
  actor: Actor;
  requestId: string;
  prisma: PrismaClient;
  context(operatorId: string | null): RequestContext;
  /** The workstation's action wrapper, run as this client for this officer: the same specs, checks and audit. */
  defineAction(operatorId: string | null): ReturnType<typeof createActionDefiner>;
  audit(entry: ApiAuditEntry): Promise<void>;
  refuse(code: ApiProblemCode, detail: string, options: RefuseOptions): Promise<Response>;
};

function baseContext(request: Request, requestId: string): RequestContext {
  return { ...requestContextFromHeaders(request.headers, { trustedProxyHops: getConfig().trustedProxyHops }), requestId };
}

/**
 * Writes the audit event for a refusal and answers with the problem document; every refusal is in the
 * log, under the call's id that the document quotes. If the log cannot be written, nothing else is
 * said about the request.
 */
export async function refuseRequest(options: {
  prisma: PrismaClient;
  code: ApiProblemCode;
  detail: string;
  action: string;
  context: RequestContext;
  actor?: Pick<Actor, 'id' | 'role'> | null;
  errors?: Record<string, string[]>;
  headers?: Record<string, string>;
  payload?: Record<string, unknown>;
  oauthError?: string;
}): Promise<Response> {
  const eventId = options.context.requestId ?? randomUUID();
  try {
    await recordAuditEvent(options.prisma, {
      actorId: options.actor?.id ?? null,
      actorRole: options.actor?.role ?? null,
      action: options.action,
      outcome: options.code === 'INTERNAL' ? 'error' : 'refused',
      payload: { code: options.code, ...(options.errors ? { fieldErrors: options.errors } : {}), ...options.payload },
      request: options.context,
    });
  } catch (error) {
    console.error(`[api] ${eventId} audit write failed`, error);
    return problemResponse(problemDocument('AUDIT_UNAVAILABLE', 'The audit log could not be written, so nothing was done.', eventId));
  }
  return problemResponse(
    problemDocument(options.code, options.detail, eventId, { ...(options.errors ? { errors: options.errors } : {}), ...(options.oauthError ? { error: options.oauthError } : {}) }),
    options.headers,
  );
}

/**
 * Authenticates a call: a bearer token we signed and that has not expired, for a client that is
 * neither revoked nor expired now and whose secret has not been rotated since (all read from the
 * database on every call, so revocation is immediate), then takes one token from the client's rate
 * bucket. Every refusal is audited.
 */
export async function authenticateApiCall(request: Request, action: string): Promise<{ ok: true; call: ApiCall } | { ok: false; response: Response }> {
  const requestId = randomUUID();
  const context = baseContext(request, requestId);
  let prisma: PrismaClient;
  try {
    prisma = await getPrisma();
  } catch (error) {
    console.error(`[api] ${requestId}`, error);
    return { ok: false, response: problemResponse(problemDocument('UNAVAILABLE', 'The service is unavailable. Nothing was changed.', requestId)) };
  }
  const headerOperator = readOperatorHeader(request);
  const refuse = (code: ApiProblemCode, detail: string, extra: { apiClientId?: string; headers?: Record<string, string>; actor?: Actor } = {}) =>
    refuseRequest({
      prisma,
      code,
      detail,
      action,
      context: { ...context, ...(extra.apiClientId ? { apiClientId: extra.apiClientId } : {}), operatorId: headerOperator },
      actor: extra.actor ?? null,
      ...(extra.headers ? { headers: extra.headers } : {}),
    }).then((response) => ({ ok: false as const, response }));

  const authorization = request.headers.get('authorization') ?? '';
  const match = /^Bearer\s+([A-Za-z0-9._~+/-]+=*)\s*$/i.exec(authorization);
  const challenge = { 'www-authenticate': 'Bearer realm="rfr-api-v1"' };
  if (!match) return refuse('UNAUTHENTICATED', 'Send an access token from POST /api/v1/token as "Authorization: Bearer <token>".', { headers: challenge });
  const checked = await verifyAccessToken(match[1]!);
  if (!checked.ok) {
    return checked.reason === 'expired'
      ? refuse('TOKEN_EXPIRED', 'The access token has expired; take a new one from POST /api/v1/token.', { headers: { 'www-authenticate': 'Bearer realm="rfr-api-v1", error="invalid_token"' } })
      : refuse('UNAUTHENTICATED', 'The access token is not valid.', { headers: { 'www-authenticate': 'Bearer realm="rfr-api-v1", error="invalid_token"' } });
  }
  const client = await findApiClient(prisma, checked.claims.clientId);
  const clientContext = { apiClientId: checked.claims.clientId, headers: { 'www-authenticate': 'Bearer realm="rfr-api-v1", error="invalid_token"' } };
  if (!client) return refuse('UNAUTHENTICATED', 'The access token names no client.', clientContext);
  const actor = actorForClient(client);
  const standing = standingOf(client);
  if (standing === 'revoked') return refuse('CLIENT_REVOKED', `The client "${client.name}" has been revoked.`, { ...clientContext, actor });
  if (standing === 'expired') return refuse('CLIENT_EXPIRED', `The client "${client.name}" expired on ${client.expiresAt!.toISOString()}.`, { ...clientContext, actor });
  if (client.secretRotatedAt.getTime() !== checked.claims.secretRotatedAt) {
    return refuse('UNAUTHENTICATED', 'The client secret has been rotated since this token was issued; take a new token.', { ...clientContext, actor });
  }

  let decision;
  try {
    decision = await getRateLimiter().take(client.id, client.rate);
  } catch (error) {
    // Fail closed: with the shared budget unreadable, no instance can know the client is within it.
    console.error(`[api] ${requestId} rate limiter`, error);
    return refuse('UNAVAILABLE', 'The rate limiter is unavailable; try again shortly.', { apiClientId: client.id, actor, headers: { 'retry-after': '1' } });
  }
  if (!decision.isAllowed) {
    return refuse('RATE_LIMITED', `This client may make ${client.rate.capacity} requests per ${client.rate.periodSeconds === 1 ? 'second' : `${client.rate.periodSeconds} seconds`}; try again in ${decision.retryAfterSeconds} s.`, {
      apiClientId: client.id,
      actor,
      headers: { 'retry-after': String(decision.retryAfterSeconds) },
    });
  }

  const contextFor = (operatorId: string | null): RequestContext => ({ ...context, apiClientId: client.id, operatorId });
  const call: ApiCall = {
    client,
    actor,
    requestId,
    prisma,
    context: contextFor,
    defineAction: (operatorId) =>
      createActionDefiner({
        getActor: async () => actor,
        getPrisma: async () => prisma,
        getRequestContext: async () => contextFor(operatorId),
        logError: (eventId, error) => console.error(`[api] ${requestId} action event ${eventId}`, error),
      }),
    async audit(entry) {
      await recordAuditEvent(prisma, {
        actorId: actor.id,
        actorRole: actor.role,
        action: entry.action,
        outcome: entry.outcome,
        targetType: entry.targetType ?? null,
        targetId: entry.targetId ?? null,
        payload: entry.payload ?? {},
        request: contextFor(entry.operatorId),
      });
    },
    refuse: (code, detail, options) =>
      refuseRequest({
        prisma,
        code,
        detail,
        action: options.action,
        context: contextFor(options.operatorId === undefined ? headerOperator : options.operatorId),
        actor,
        ...(options.errors ? { errors: options.errors } : {}),
        ...(options.headers ? { headers: options.headers } : {}),
        ...(options.payload ? { payload: options.payload } : {}),
      }),
  };
  return { ok: true, call };
}

/** The officer a GET names, if the header is there and well-formed (otherwise none is recorded). */
export function readOperatorHeader(request: Request): string | null {
  const parsed = operatorSchema.safeParse(request.headers.get(OPERATOR_HEADER) ?? undefined);
  return parsed.success ? parsed.data : null;
}

/** The wrapper's error, as the API's problem code: the field that failed says which problem it is. */
export function problemCodeOf(error: ActionError): ApiProblemCode {
  const fields = Object.keys(error.fieldErrors ?? {});
  switch (error.code) {
    case 'VALIDATION':
      if (fields.includes('payload.face.modelId')) return 'MODEL_MISMATCH';
      if (fields.includes('payload.face.embedding')) return 'EMBEDDING_MISMATCH';
      if (fields.includes('crop')) return 'INVALID_CROP';
      if (fields.includes('qualityOverrideReason')) return 'QUALITY_BELOW_POLICY';
      return 'VALIDATION';
    case 'UNAUTHENTICATED':
      return 'UNAUTHENTICATED';
    default:
      return error.code;
  }
}

/** The wrapper already audited this refusal; the API answers with the same words and the call's id. */
export function problemFromActionError(call: ApiCall, error: ActionError): Response {
  const code = problemCodeOf(error);
  return problemResponse(problemDocument(code, error.message, error.eventId ?? call.requestId, error.fieldErrors ? { errors: error.fieldErrors } : {}));
}
