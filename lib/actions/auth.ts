'use server';

import { AuthError } from 'next-auth';
import { redirect } from 'next/navigation';
import { signIn, signOut } from '@/lib/server/auth/auth';
import { settleNewSessionCookie } from '@/lib/server/auth/sign-in-cookie';

export type SignInState = { error?: string };

// The throttle message names no account and says nothing about whether one exists: it is given for
// unknown e-mails exactly as for real ones, and also when the client's address is the one limited.
const MESSAGES: Record<string, string> = {
  throttled: 'Too many sign-in attempts. Wait 15 minutes and try again.',
  disabled: 'This account is disabled. Ask an administrator.',
};

// Deliberately one message for an unknown e-mail and a wrong password: the form must not reveal
// which accounts exist.
const GENERIC = 'E-mail or password not recognised.';

export async function signInWithPassword(_previous: SignInState, formData: FormData): Promise<SignInState> {
  let landing: string;
  try {
    await signIn('credentials', { email: formData.get('email'), password: formData.get('password'), redirect: false });
    landing = await settleNewSessionCookie();
  } catch (error) {
    if (error instanceof AuthError) {
      const code = (error as AuthError & { code?: string }).code ?? '';
      return { error: MESSAGES[code] ?? GENERIC };
    }
    throw error;
  }
  redirect(landing);
}

/** Ends every session of the signed-in user (see the signOut event in lib/server/auth/auth.ts). */
export async function signOutNow(): Promise<void> {
  await signOut({ redirectTo: '/sign-in' });
}
