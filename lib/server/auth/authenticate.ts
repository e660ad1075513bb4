import 'server-only';
import type { PrismaClient } from '@/lib/server/generated/prisma/client';
import { appendAuditEvent, recordAuditEvent } from '@/lib/server/audit/append-audit-event';
import { requestContextFromHeaders } from '@/lib/server/audit/request-context';
import { signInSchema } from '@/lib/shared/schemas/auth';
import type { Role } from '@/lib/shared/roles';
import { verifyPassword } from './passwords';
import { pruneOldSessions, startUserSession, type SessionNotice } from './sessions';
import { pruneSignInThrottles, reserveSignInAttempt, THROTTLE_WINDOW_MS, type ThrottleKind } from './sign-in-throttle';

export type AuthenticatedUser = {
  id: string;
  email: string;
  name: string;
  role: Role;
  mustChangePassword: boolean;
  sessionId: string;
  sessionExpiresAt: Date;
};
export type AuthenticationResult =
  | { ok: true; user: AuthenticatedUser }
  | { ok: false; reason: 'bad_credentials' | 'disabled' | 'throttled' };

export type AuthenticationOptions = {
  /** The client's address as the throttle keys it (see `throttleAddressFromHeaders`). */
  address: string;
  now?: Date;
};

/** Where no address can be read at all: such attempts share one bucket. */
export const UNKNOWN_ADDRESS = 'unknown';

/**
 * The address sign-in attempts are counted under. Behind TRUST_PROXY proxies it is the address the
 * audit log records. Without a trusted proxy it is the last X-Forwarded-For entry, which Next.js fills
 * from the socket when the client sent none: good enough to throttle the client that does not lie, and
 * a client that does invent the header only picks its own bucket (the per-account limit still holds).
 */
export function throttleAddressFromHeaders(headers: Pick<Headers, 'get'>, trustedProxyHops: number): string {
  return requestContextFromHeaders(headers, { trustedProxyHops: Math.max(1, trustedProxyHops) }).ip ?? UNKNOWN_ADDRESS;
}

// How far back the notice of failed sign-ins looks when the account has never signed in before.
const NOTICE_LOOKBACK_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * Checks an e-mail and password and, when they are right, opens a server-side session. Every attempt
 * is audited. The throttle is consulted before the password is looked at (see sign-in-throttle.ts),
 * the same way whether or not the account exists.
 */
export async function authenticateWithPassword(prisma: PrismaClient, raw: unknown, options: AuthenticationOptions): Promise<AuthenticationResult> {
  const parsed = signInSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: 'bad_credentials' };
  const { email, password } = parsed.data;
  const now = options.now ?? new Date();

  const reservation = await reserveSignInAttempt(prisma, { email, address: options.address, now });
  if (!reservation.ok) {
    await recordThrottled(prisma, email, reservation.kind);
    return { ok: false, reason: 'throttled' };
  }

  const user = await prisma.user.findUnique({
    where: { email },
    select: { id: true, email: true, displayName: true, role: true, disabled: true, passwordHash: true, mustChangePassword: true, createdAt: true },
  });
  const passwordMatches = await verifyPassword(user?.passwordHash ?? null, password);
  // The right password is not a guess, even for a disabled account: its place is given back.
  if (user && passwordMatches) await reservation.release();
  const reason = !user || !passwordMatches ? 'bad_credentials' : user.disabled ? 'disabled' : null;

  if (reason || !user) {
    await recordAuditEvent(prisma, {
      actorId: user && passwordMatches ? user.id : null,
      actorRole: user && passwordMatches ? user.role : null,
      action: 'auth.sign_in',
      outcome: 'refused',
      targetType: 'account',
      targetId: email,
      payload: { reason },
    });
    return { ok: false, reason: reason ?? 'bad_credentials' };
  }

  const notice = await findFailedSignInsSinceLastSuccess(prisma, email, new Date(Math.max(user.createdAt.getTime(), now.getTime() - NOTICE_LOOKBACK_MS)));
  const session = await prisma.$transaction(async (tx) => {
    const started = await startUserSession(tx, { userId: user.id, now, notice });
    await appendAuditEvent(tx, {
      actorId: user.id,
      actorRole: user.role,
      action: 'auth.sign_in',
      outcome: 'success',
      targetType: 'account',
      targetId: email,
      payload: { sessionId: started.id, expiresAt: started.expiresAt.toISOString(), mustChangePassword: user.mustChangePassword },
    });
    return started;
  });
  // Housekeeping, on the rare path (a successful sign-in), so the tables stay small without a job.
  await pruneOldSessions(prisma, now);
  await pruneSignInThrottles(prisma, now);

  return {
    ok: true,
    user: {
      id: user.id,
      email: user.email,
      name: user.displayName,
      role: user.role,
      mustChangePassword: user.mustChangePassword,
      sessionId: session.id,
      sessionExpiresAt: session.expiresAt,
    },
  };
}

async function recordThrottled(prisma: PrismaClient, email: string, kind: ThrottleKind): Promise<void> {
  await recordAuditEvent(prisma, {
    actorId: null,
    actorRole: null,
    action: 'auth.sign_in_throttled',
    outcome: 'refused',
    targetType: 'account',
    targetId: email,
    payload: { limit: kind, windowMinutes: THROTTLE_WINDOW_MS / 60_000 },
  });
}

/**
 * Refused and throttled sign-ins for this e-mail since its previous ordinary successful sign-in (read
 * from the audit log, which keeps them anyway), for the notice its holder sees after signing in.
 */
export async function findFailedSignInsSinceLastSuccess(prisma: PrismaClient, email: string, notBefore: Date): Promise<SessionNotice> {
  // A sign-in with a temporary password shows no notice (its session only replaces the password), so
  // it does not count as "last signed in" either: the notice waits for the next ordinary sign-in.
  const lastSuccess = await prisma.auditEvent.findFirst({
    where: {
      action: 'auth.sign_in',
      outcome: 'success',
      targetId: email,
      createdAt: { gte: notBefore },
      payload: { path: ['mustChangePassword'], equals: false },
    },
    orderBy: { sequence: 'desc' },
    select: { createdAt: true },
  });
  const since = lastSuccess?.createdAt ?? notBefore;
  const where = { action: { in: ['auth.sign_in', 'auth.sign_in_throttled'] }, outcome: 'refused', targetId: email, createdAt: { gt: since } };
  const [failedSignIns, latest] = await Promise.all([
    prisma.auditEvent.count({ where }),
    prisma.auditEvent.findFirst({ where, orderBy: { sequence: 'desc' }, select: { createdAt: true } }),
  ]);
  return { failedSignIns, lastFailedAt: latest?.createdAt ?? null };
}
