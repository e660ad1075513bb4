'use server';

import { AuthError } from 'next-auth';
import { signIn, signOut } from '@/lib/server/auth/auth';

export type SignInState = { error?: string };

const MESSAGES: Record<string, string> = {
  throttled: 'Too many failed attempts for this account. Wait 15 minutes and try again.',
  disabled: 'This account is disabled. Ask an administrator.',
};

// Deliberately one message for an unknown e-mail and a wrong password: the form must not reveal
// which accounts exist.
const GENERIC = 'E-mail or password not recognised.';

export async function signInWithPassword(_previous: SignInState, formData: FormData): Promise<SignInState> {
  try {
    await signIn('credentials', {
      email: formData.get('email'),
      password: formData.get('password'),
      redirectTo: '/',
    });
    return {};
  } catch (error) {
    if (error instanceof AuthError) {
      const code = (error as AuthError & { code?: string }).code ?? '';
      return { error: MESSAGES[code] ?? GENERIC };
    }
    throw error; // the redirect after a successful sign-in travels as an exception
  }
}

export async function signOutNow(): Promise<void> {
  await signOut({ redirectTo: '/sign-in' });
}
