'use server';

import { headers } from 'next/headers';
import { changeOwnPasswordSpec, dismissSignInNoticeSpec } from '@/lib/server/actions/specs/account';
import { throttleAddressFromHeaders } from '@/lib/server/auth/authenticate';
import { composeAction } from '@/lib/server/actions/create-action-definer';
import { defineAccountAction } from '@/lib/server/auth/define-account-action';
import { clearSessionCookie } from '@/lib/server/auth/sign-in-cookie';
import { getConfig } from '@/lib/server/config';
import { getPrisma } from '@/lib/server/db/database';

// One's own account: open to every role, and to a session opened with a temporary password.

const changeOwnPasswordAction = defineAccountAction(
  changeOwnPasswordSpec({ getPrisma, readAddress: async () => throttleAddressFromHeaders(await headers(), getConfig().trustedProxyHops) }),
);

export const changeOwnPassword = composeAction(changeOwnPasswordAction, {
  // The session has ended on the server; the browser drops its cookie too, and signs in afresh.
  onSuccess: () => clearSessionCookie(),
});

export const dismissSignInNotice = defineAccountAction(dismissSignInNoticeSpec);
