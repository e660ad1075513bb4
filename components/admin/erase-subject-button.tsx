'use client';

import { useRouter } from 'next/navigation';
import { eraseSubject } from '@/lib/actions/watchlists';
import { useActionMutation } from '@/lib/client/use-action-mutation';
import { FormError } from '@/components/ui/form-feedback';

export function EraseSubjectButton({ subjectId, reference }: { subjectId: string; reference: string }) {
  const router = useRouter();
  const mutation = useActionMutation(eraseSubject);
  return (
    <>
      <button
        className="button danger"
        type="button"
        disabled={mutation.isPending}
        onClick={() => {
          const reason = window.prompt(`Erase ${reference} and all their enrolled faces? This cannot be undone.\n\nReason (recorded in the audit log):`);
          if (reason === null) return;
          mutation.mutate({ subjectId, reason }, { onSuccess: () => router.refresh() });
        }}
      >
        Erase
      </button>
      <FormError error={mutation.error} />
    </>
  );
}
