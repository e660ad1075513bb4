import 'server-only';
import NextAuth, { CredentialsSignin } from 'next-auth';
import Credentials from 'next-auth/providers/credentials';
import { getPrisma } from '@/lib/server/db/database';
import { getConfig } from '@/lib/server/config';
import { authConfig, readSessionTokenClaims } from './auth-config';
import { authenticateWithPassword, throttleAddressFromHeaders } from './authenticate';
import { endSessionsOnSignOut } from './sessions';

class SignInThrottled extends CredentialsSignin {
  override code = 'throttled';
}
class AccountDisabled extends CredentialsSignin {
  override code = 'disabled';
}

// Only `signIn` and `signOut` are used, from server actions (lib/actions/auth.ts). There is no
// /api/auth route: its session endpoint would re-issue the cookie on every call, and its credentials
// callback would be a second way in.
export const { signIn, signOut } = NextAuth({
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
      async authorize(credentials, request) {
        const address = throttleAddressFromHeaders(request.headers, getConfig().trustedProxyHops);
        const result = await authenticateWithPassword(await getPrisma(), credentials, { address });
        if (result.ok) return result.user;
        if (result.reason === 'throttled') throw new SignInThrottled();
        if (result.reason === 'disabled') throw new AccountDisabled();
        return null;
      },
    }),
  ],
  events: {
    // Signing out ends every session of the user, on every device (see endSessionsOnSignOut).
    async signOut(message) {
      const claims = readSessionTokenClaims('token' in message ? message.token : null);
      if (claims) await endSessionsOnSignOut(await getPrisma(), { userId: claims.sub, sessionId: claims.sid });
    },
  },
});
