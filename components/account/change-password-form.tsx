'use client';

import { useRouter } from 'next/navigation';
import { changeOwnPassword } from '@/lib/actions/account';
import { useActionForm } from '@/lib/client/use-action-mutation';
import { FieldError, FormError } from '@/components/ui/form-feedback';
import { MIN_PASSWORD_LENGTH } from '@/lib/shared/schemas/user';

/** Replaces one's own password. Every session ends with it, this one too: then sign in with the new one. */
export function ChangePasswordForm({ isTemporary }: { isTemporary: boolean }) {
  const router = useRouter();
  const form = useActionForm(changeOwnPassword, { onSuccess: () => router.replace('/sign-in?password=changed') });
  const error = form.error;
  return (
    <form className="stack" onSubmit={form.onSubmit}>
      <label>
        {isTemporary ? 'Temporary password' : 'Current password'}
        <input name="currentPassword" type="password" autoComplete="current-password" required />
        <FieldError error={error} name="currentPassword" />
      </label>
      <label>
        New password
        <input name="newPassword" type="password" autoComplete="new-password" minLength={MIN_PASSWORD_LENGTH} required aria-describedby="new-password-hint" />
        <FieldError error={error} name="newPassword" />
      </label>
      <span className="hint" id="new-password-hint">
        At least {MIN_PASSWORD_LENGTH} characters. Only you know it: administrators can reset it, never read it.
      </span>
      <label>
        Repeat the new password
        <input name="confirmation" type="password" autoComplete="new-password" required />
        <FieldError error={error} name="confirmation" />
      </label>
      <FormError error={form.formError} />
      <button className="button" type="submit" disabled={form.isPending}>
        Change password
      </button>
    </form>
  );
}
