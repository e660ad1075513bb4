import 'server-only';
import NextAuth, { CredentialsSignin } from 'next-auth';
import Credentials from 'next-auth/providers/credentials';
import { getPrisma } from '@/lib/server/db/database';
import { recordAuditEvent } from '@/lib/server/audit/append-audit-event';
import { authConfig } from './auth-config';
import { authenticateWithPassword } from './authenticate';

class SignInThrottled extends CredentialsSignin {
  override code = 'throttled';
}
class AccountDisabled extends CredentialsSignin {
  override code = 'disabled';
}

export const { handlers, auth, signIn, signOut } = NextAuth({
  ...authConfig,
  logger: {
    // A refused sign-in is an expected outcome, already in the audit log; not a server error.
    error(error) {
      if (error instanceof CredentialsSignin || (error as { type?: string }).type === 'CredentialsSignin') return;
      console.error('[auth]', error);
    },
  },
  providers: [
    Credentials({
      credentials: { email: { label: 'E-mail' }, password: { label: 'Password', type: 'password' } },
      async authorize(credentials) {
        const result = await authenticateWithPassword(await getPrisma(), credentials);
        if (result.ok) return result.user;
        if (result.reason === 'throttled') throw new SignInThrottled();
        if (result.reason === 'disabled') throw new AccountDisabled();
        return null;
      },
    }),
  ],
  events: {
    async signOut(message) {
      const token = 'token' in message ? message.token : null;
      await recordAuditEvent(await getPrisma(), {
        actorId: token?.sub ?? null,
        actorRole: token?.role ?? null,
        action: 'auth.sign_out',
        outcome: 'success',
        targetType: 'account',
        targetId: token?.email ?? null,
      });
    },
  },
});
