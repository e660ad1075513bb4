'use client';

import { useRouter } from 'next/navigation';
import { dismissSignInNotice } from '@/lib/actions/account';
import { useActionMutation } from '@/lib/client/use-action-mutation';

/**
 * Tells the account holder, after they sign in, how many sign-ins for their account were refused
 * since their previous one: a stranger guessing their password is something they should hear about.
 */
export function SignInNotice({ failedSignIns, lastFailedAt }: { failedSignIns: number; lastFailedAt: string | null }) {
  const router = useRouter();
  const mutation = useActionMutation(dismissSignInNotice);
  const when = lastFailedAt ? new Date(lastFailedAt).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' }) : null;
  return (
    <div className="alert warn" role="status" data-testid="sign-in-notice">
      {failedSignIns === 1 ? 'One sign-in to your account was refused' : `${failedSignIns} sign-ins to your account were refused`} since you last signed in
      {when ? `, the latest on ${when}` : ''}. If that was not you, tell an administrator and change your password.{' '}
      <button className="button secondary" type="button" disabled={mutation.isPending} onClick={() => mutation.mutate({}, { onSuccess: () => router.refresh() })}>
        Dismiss
      </button>
    </div>
  );
}
