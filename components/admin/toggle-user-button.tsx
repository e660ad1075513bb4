'use client';

import { useRouter } from 'next/navigation';
import { setUserDisabled } from '@/lib/actions/users';
import { useActionMutation } from '@/lib/client/use-action-mutation';
import { FormError } from '@/components/ui/form-feedback';

export function ToggleUserButton({ userId, email, disabled }: { userId: string; email: string; disabled: boolean }) {
  const router = useRouter();
  const mutation = useActionMutation(setUserDisabled);
  return (
    <>
      <button
        className={`button ${disabled ? 'secondary' : 'danger'}`}
        type="button"
        disabled={mutation.isPending}
        onClick={() => {
          if (!disabled && !window.confirm(`Disable ${email}? Every session of theirs ends at once.`)) return;
          mutation.mutate({ userId, disabled: !disabled }, { onSuccess: () => router.refresh() });
        }}
      >
        {disabled ? 'Enable' : 'Disable'}
      </button>
      <FormError error={mutation.error} />
    </>
  );
}
