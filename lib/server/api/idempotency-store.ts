import 'server-only';
import type { PrismaClient } from '@/lib/server/generated/prisma/client';

/** How long a key is remembered: a retry comes within minutes; a day covers a phone that was offline. */
export const IDEMPOTENCY_KEY_HOURS = 24;

export type IdempotencyClaim =
  | { kind: 'new' }
  | { kind: 'replay'; status: number; body: unknown }
  | { kind: 'mismatch' }
  | { kind: 'in_progress' };

export type IdempotencyRequest = { clientId: string; key: string; method: string; path: string; requestSha256: string };

/**
 * Claims a key for this request with one insert, so that of two concurrent requests with the same key
 * exactly one does the work (the other is told it is in progress), on any instance sharing the
 * database. A key seen before returns its first response when the request is the same, and `mismatch`
 * when the same key comes with another method, path or body. A key older than a day is forgotten.
 */
export async function claimIdempotencyKey(prisma: PrismaClient, request: IdempotencyRequest, now = new Date()): Promise<IdempotencyClaim> {
  const staleBefore = new Date(now.getTime() - IDEMPOTENCY_KEY_HOURS * 3_600_000);
  await prisma.apiIdempotencyKey.deleteMany({ where: { clientId: request.clientId, key: request.key, createdAt: { lt: staleBefore } } });
  const inserted = await prisma.apiIdempotencyKey.createMany({ data: [{ ...request, createdAt: now }], skipDuplicates: true });
  if (inserted.count === 1) return { kind: 'new' };
  const existing = await prisma.apiIdempotencyKey.findUnique({
    where: { clientId_key: { clientId: request.clientId, key: request.key } },
    select: { method: true, path: true, requestSha256: true, responseStatus: true, responseBody: true },
  });
  // Released between our insert and this read: the caller may simply try again.
  if (!existing) return { kind: 'in_progress' };
  if (existing.method !== request.method || existing.path !== request.path || existing.requestSha256 !== request.requestSha256) return { kind: 'mismatch' };
  if (existing.responseStatus === null) return { kind: 'in_progress' };
  return { kind: 'replay', status: existing.responseStatus, body: existing.responseBody };
}

export async function completeIdempotencyKey(prisma: PrismaClient, request: Pick<IdempotencyRequest, 'clientId' | 'key'>, response: { status: number; body: unknown }): Promise<void> {
  await prisma.apiIdempotencyKey.update({
    where: { clientId_key: { clientId: request.clientId, key: request.key } },
    data: { responseStatus: response.status, responseBody: response.body as object, completedAt: new Date() },
  });
}

/** After a failure on our side (5xx) the key is let go, so the client's retry does the work afresh. */
export async function releaseIdempotencyKey(prisma: PrismaClient, request: Pick<IdempotencyRequest, 'clientId' | 'key'>): Promise<void> {
  await prisma.apiIdempotencyKey.deleteMany({ where: { clientId: request.clientId, key: request.key, responseStatus: null } });
}

/** Keys past their day, for the retention job. */
export async function pruneIdempotencyKeys(prisma: PrismaClient, now = new Date()): Promise<number> {
  const staleBefore = new Date(now.getTime() - IDEMPOTENCY_KEY_HOURS * 3_600_000);
  return (await prisma.apiIdempotencyKey.deleteMany({ where: { createdAt: { lt: staleBefore } } })).count;
}
