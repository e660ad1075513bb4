import 'server-only';
import { appendAuditEvent } from '@/lib/server/audit/append-audit-event';
import type { Db } from '@/lib/server/db/database';
import type { PrismaClient } from '@/lib/server/generated/prisma/client';
import { readSessionPolicy } from '@/lib/server/settings/session-policy';
import type { Actor } from './current-actor';

// Server-side sessions. The cookie (an encrypted Auth.js JWT) names a row of `user_sessions` and the
// user; the row decides. Ending a row ends the session at once, whatever copies of the cookie exist.

/** What a session cookie claims, once its encryption and expiry have been checked. */
export type SessionClaims = { userId: string; sessionId: string };

export type SessionNotice = { failedSignIns: number; lastFailedAt: Date | null };

export type SessionState =
  | { status: 'none' }
  /** Signed in with a temporary password: the only thing this session may do is replace it. */
  | { status: 'password_change_required'; actor: Actor; sessionId: string }
  | { status: 'active'; actor: Actor; sessionId: string; notice: SessionNotice | null };

export const NO_SESSION: SessionState = { status: 'none' };

/** Why sessions end, as recorded on the row and in the audit log. */
export type SessionEndReason = 'sign_out' | 'password_changed' | 'password_reset' | 'role_changed' | 'disabled' | 'idle' | 'expired';

// Last-seen is written at most this often, so reading the user is not a write on every request; the
// idle timeout is therefore exact to within this much.
const LAST_SEEN_RESOLUTION_MS = 60_000;

/** Opens a session row for a user who has just proved their password; its absolute expiry comes from the policy. */
export async function startUserSession(
  db: Db,
  options: { userId: string; now: Date; notice?: SessionNotice },
): Promise<{ id: string; expiresAt: Date }> {
  const policy = await readSessionPolicy(db);
  const expiresAt = new Date(options.now.getTime() + policy.absoluteMinutes * 60_000);
  const row = await db.userSession.create({
    data: {
      userId: options.userId,
      createdAt: options.now,
      lastSeenAt: options.now,
      expiresAt,
      failedSignInsBefore: options.notice?.failedSignIns ?? 0,
      lastFailedSignInAt: options.notice?.lastFailedAt ?? null,
    },
    select: { id: true, expiresAt: true },
  });
  return row;
}

/**
 * The session a cookie names, as the database sees it now: refused when the row is ended, past its
 * absolute expiry (or past the absolute lifetime the policy sets today, if that is shorter), idle for
 * longer than the policy allows, or belongs to another or a disabled user.
 */
export async function resolveSession(db: Db, claims: SessionClaims, now: Date = new Date()): Promise<SessionState> {
  const row = await db.userSession.findUnique({
    where: { id: claims.sessionId },
    select: {
      id: true,
      userId: true,
      createdAt: true,
      lastSeenAt: true,
      expiresAt: true,
      endedAt: true,
      failedSignInsBefore: true,
      lastFailedSignInAt: true,
      noticeDismissedAt: true,
      user: { select: { id: true, email: true, displayName: true, role: true, teamId: true, disabled: true, mustChangePassword: true } },
    },
  });
  if (!row || row.endedAt || row.userId !== claims.userId || row.user.disabled) return NO_SESSION;

  const policy = await readSessionPolicy(db);
  const absoluteEnd = Math.min(row.expiresAt.getTime(), row.createdAt.getTime() + policy.absoluteMinutes * 60_000);
  const idleEnd = row.lastSeenAt.getTime() + policy.idleMinutes * 60_000;
  if (now.getTime() >= absoluteEnd || now.getTime() >= idleEnd) {
    await endSession(db, row.id, now.getTime() >= absoluteEnd ? 'expired' : 'idle', now);
    return NO_SESSION;
  }
  if (now.getTime() - row.lastSeenAt.getTime() >= LAST_SEEN_RESOLUTION_MS) {
    await db.userSession.updateMany({ where: { id: row.id, endedAt: null }, data: { lastSeenAt: now } });
  }

  const { disabled: _disabled, mustChangePassword, ...actor } = row.user;
  if (mustChangePassword) return { status: 'password_change_required', actor, sessionId: row.id };
  const notice = row.failedSignInsBefore > 0 && !row.noticeDismissedAt ? { failedSignIns: row.failedSignInsBefore, lastFailedAt: row.lastFailedSignInAt } : null;
  return { status: 'active', actor, sessionId: row.id, notice };
}

async function endSession(db: Db, sessionId: string, reason: SessionEndReason, now: Date): Promise<void> {
  await db.userSession.updateMany({ where: { id: sessionId, endedAt: null }, data: { endedAt: now, endReason: reason } });
}

/**
 * Ends every open session of a user at once (all browsers, all copies of every cookie). Run inside
 * the transaction that makes the change calling for it, so the two commit together. Returns how many
 * were open, for the audit record.
 */
export async function endUserSessions(db: Db, userId: string, reason: SessionEndReason, now: Date = new Date()): Promise<number> {
  const { count } = await db.userSession.updateMany({ where: { userId, endedAt: null }, data: { endedAt: now, endReason: reason } });
  return count;
}

// Ended and expired rows are kept a while (a trail next to the audit log's sign-in events), then dropped.
const KEEP_ENDED_SESSIONS_MS = 30 * 24 * 60 * 60 * 1000;

export async function pruneOldSessions(db: Db, now: Date = new Date()): Promise<number> {
  const before = new Date(now.getTime() - KEEP_ENDED_SESSIONS_MS);
  const { count } = await db.userSession.deleteMany({ where: { OR: [{ endedAt: { lt: before } }, { expiresAt: { lt: before } }] } });
  return count;
}

/**
 * Sign-out: ends every session of the user (every device) with its audit record, but only when the
 * cookie's own session is still open. A copy of a cookie whose session has already ended ends nothing,
 * or it would be a way to sign someone out of the sessions they have opened since.
 */
export async function endSessionsOnSignOut(prisma: PrismaClient, claims: SessionClaims, now: Date = new Date()): Promise<number | null> {
  return prisma.$transaction(async (tx) => {
    const isOpen = await tx.userSession.count({ where: { id: claims.sessionId, userId: claims.userId, endedAt: null } });
    if (!isOpen) return null;
    const user = await tx.user.findUnique({ where: { id: claims.userId }, select: { email: true, role: true } });
    const sessionsEnded = await endUserSessions(tx, claims.userId, 'sign_out', now);
    await appendAuditEvent(tx, {
      actorId: claims.userId,
      actorRole: user?.role ?? null,
      action: 'auth.sign_out',
      outcome: 'success',
      targetType: 'account',
      targetId: user?.email ?? null,
      payload: { sessionId: claims.sessionId, sessionsEnded },
    });
    return sessionsEnded;
  });
}
