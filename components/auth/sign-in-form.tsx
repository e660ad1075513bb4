'use client';

import { useActionState } from 'react';
import { signInWithPassword, type SignInState } from '@/lib/actions/auth';

export function SignInForm() {
  const [state, formAction, isPending] = useActionState<SignInState, FormData>(signInWithPassword, {});
  return (
    <form className="stack" action={formAction} aria-describedby={state.error ? 'sign-in-error' : undefined}>
      <label>
        E-mail
        <input name="email" type="email" autoComplete="username" required autoFocus />
      </label>
      <label>
        Password
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
      {state.error ? (
        <p id="sign-in-error" className="alert error" role="alert">
          {state.error}
        </p>
      ) : null}
      <button className="button" type="submit" disabled={isPending}>
        {isPending ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
