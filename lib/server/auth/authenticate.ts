import 'server-only';
import type { PrismaClient } from '@/lib/server/generated/prisma/client';
import { recordAuditEvent } from '@/lib/server/audit/append-audit-event';
import { signInSchema } from '@/lib/shared/schemas/auth';
import type { Role } from '@/lib/shared/roles';
import { verifyPassword } from './passwords';

export const SIGN_IN_WINDOW_MS = 15 * 60 * 1000;
export const MAX_FAILED_SIGN_INS = 5;

export type AuthenticatedUser = { id: string; email: string; name: string; role: Role };
export type AuthenticationResult =
  | { ok: true; user: AuthenticatedUser }
  | { ok: false; reason: 'bad_credentials' | 'disabled' | 'throttled' };

/**
 * Checks an e-mail and password. Every attempt is audited, and the audit log doubles as the
 * throttle: after MAX_FAILED_SIGN_INS refusals for one account within the window, further attempts
 * are refused without checking the password, whether or not the account exists.
 */
export async function authenticateWithPassword(prisma: PrismaClient, raw: unknown): Promise<AuthenticationResult> {
  const parsed = signInSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: 'bad_credentials' };
  const { email, password } = parsed.data;

  const recentFailures = await prisma.auditEvent.count({
    where: {
      action: 'auth.sign_in',
      outcome: 'refused',
      targetId: email,
      createdAt: { gt: new Date(Date.now() - SIGN_IN_WINDOW_MS) },
    },
  });
  if (recentFailures >= MAX_FAILED_SIGN_INS) {
    await recordAuditEvent(prisma, {
      actorId: null,
      actorRole: null,
      action: 'auth.sign_in_throttled',
      outcome: 'refused',
      targetType: 'account',
      targetId: email,
    });
    return { ok: false, reason: 'throttled' };
  }

  const user = await prisma.user.findUnique({
    where: { email },
    select: { id: true, email: true, displayName: true, role: true, disabled: true, passwordHash: true },
  });
  const passwordMatches = await verifyPassword(user?.passwordHash ?? null, password);
  const reason = !user || !passwordMatches ? 'bad_credentials' : user.disabled ? 'disabled' : null;

  await recordAuditEvent(prisma, {
    actorId: user && passwordMatches ? user.id : null,
    actorRole: user && passwordMatches ? user.role : null,
    action: 'auth.sign_in',
    outcome: reason ? 'refused' : 'success',
    targetType: 'account',
    targetId: email,
    payload: reason ? { reason } : {},
  });
  if (reason || !user) return { ok: false, reason: reason ?? 'bad_credentials' };
  return { ok: true, user: { id: user.id, email: user.email, name: user.displayName, role: user.role } };
}
