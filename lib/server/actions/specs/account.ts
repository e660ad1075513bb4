import 'server-only';
import { specifyAction } from '@/lib/server/actions/create-action-definer';
import { hashPassword, verifyPassword } from '@/lib/server/auth/passwords';
import { endUserSessions } from '@/lib/server/auth/sessions';
import { reserveSignInAttempt } from '@/lib/server/auth/sign-in-throttle';
import type { PrismaClient } from '@/lib/server/generated/prisma/client';
import { AppError } from '@/lib/shared/errors';
import { changeOwnPasswordSchema, dismissSignInNoticeSchema } from '@/lib/shared/schemas/user';

// What a user does to their own account. Wrapped with `defineAccountAction`, which also admits a
// session opened with a temporary password (that session may do nothing else).

export type ChangeOwnPasswordDependencies = {
  getPrisma: () => Promise<PrismaClient>;
  /** The client's address as the sign-in throttle keys it. */
  readAddress: () => Promise<string>;
};

export function changeOwnPasswordSpec(dependencies: ChangeOwnPasswordDependencies) {
  return specifyAction({
    name: 'account.change_password',
    permission: 'account:own',
    input: changeOwnPasswordSchema,
    // The object is the signed-in user's own account, and only it is read.
    async authorize({ actor, tx }) {
      const user = await tx.user.findUnique({ where: { id: actor.id }, select: { passwordHash: true, mustChangePassword: true, passwordChangedAt: true } });
      if (!user) throw new AppError('NOT_FOUND', 'No such account.');
      return user;
    },
    async prepare({ actor, input, authorized }) {
      // Guesses at the current password count against the sign-in throttle's buckets for this
      // account, so a stolen session cannot be used to find the password at hashing speed. The count
      // is written outside the action's transaction on purpose: a wrong guess rolls that back, and
      // must still count.
      const reservation = await reserveSignInAttempt(await dependencies.getPrisma(), {
        email: actor.email,
        address: await dependencies.readAddress(),
        buckets: ['account_address', 'account'],
      });
      if (!reservation.ok) throw new AppError('FORBIDDEN', 'Too many attempts. Wait 15 minutes and try again.');
      if (!(await verifyPassword(authorized.passwordHash, input.currentPassword))) {
        throw new AppError('VALIDATION', 'Some fields need attention.', { currentPassword: ['That is not your current password.'] });
      }
      await reservation.release();
      return { checkedHash: authorized.passwordHash, passwordHash: await hashPassword(input.newPassword) };
    },
    async run({ actor, tx, authorized, prepared }) {
      // Against the hash the current password was checked with: a reset in between wins.
      if (authorized.passwordHash !== prepared.checkedHash) throw new AppError('CONFLICT', 'Your password was changed meanwhile. Sign in again.');
      const now = new Date();
      await tx.user.update({ where: { id: actor.id }, data: { passwordHash: prepared.passwordHash, mustChangePassword: false, passwordChangedAt: now } });
      // Every session ends, this one included: whoever held the old password holds nothing now.
      const sessionsEnded = await endUserSessions(tx, actor.id, 'password_changed', now);
      return {
        data: { sessionsEnded },
        target: { type: 'user', id: actor.id },
        auditPayload: {
          previous: { mustChangePassword: authorized.mustChangePassword, passwordChangedAt: authorized.passwordChangedAt?.toISOString() ?? null },
          next: { mustChangePassword: false, passwordChangedAt: now.toISOString() },
          sessionsEnded,
        },
      };
    },
  });
}

export const dismissSignInNoticeSpec = specifyAction({
  name: 'account.dismiss_sign_in_notice',
  permission: 'account:own',
  input: dismissSignInNoticeSchema,
  // Only the signed-in user's own sessions are touched.
  async authorize() {},
  async run({ actor, tx }) {
    const { count } = await tx.userSession.updateMany({ where: { userId: actor.id, endedAt: null, noticeDismissedAt: null }, data: { noticeDismissedAt: new Date() } });
    return { data: { dismissed: count }, target: { type: 'user', id: actor.id } };
  },
});
