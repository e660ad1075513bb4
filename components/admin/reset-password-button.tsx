'use client';

import { useRouter } from 'next/navigation';
import { resetUserPassword } from '@/lib/actions/users';
import { useActionMutation } from '@/lib/client/use-action-mutation';
import { FormError } from '@/components/ui/form-feedback';
import { TemporaryPassword } from '@/components/admin/temporary-password';

/** A new temporary password (shown once); the old one stops working and every session of theirs ends. */
export function ResetPasswordButton({ userId, email }: { userId: string; email: string }) {
  const router = useRouter();
  const mutation = useActionMutation(resetUserPassword);
  return (
    <>
      <button
        className="button secondary"
        type="button"
        disabled={mutation.isPending}
        onClick={() => {
          if (!window.confirm(`Reset the password of ${email}? Their password stops working and they are signed out everywhere.`)) return;
          mutation.mutate({ userId }, { onSuccess: () => router.refresh() });
        }}
      >
        Reset password
      </button>
      {mutation.data ? <TemporaryPassword lead="Password reset." email={mutation.data.email} password={mutation.data.temporaryPassword} /> : null}
      <FormError error={mutation.error} />
    </>
  );
}
