'use client';

import { useRouter } from 'next/navigation';
import { closeCase } from '@/lib/actions/cases';
import { useActionMutation } from '@/lib/client/use-action-mutation';
import { FormError } from '@/components/ui/form-feedback';

export function CloseCaseButton({ caseId, reference }: { caseId: string; reference: string }) {
  const router = useRouter();
  const mutation = useActionMutation(closeCase);
  return (
    <div>
      <button
        className="button danger"
        type="button"
        disabled={mutation.isPending}
        onClick={() => {
          if (!window.confirm(`Close case ${reference}? No further searches can be run in it.`)) return;
          mutation.mutate({ caseId }, { onSuccess: () => router.refresh() });
        }}
      >
        Close case
      </button>
      <FormError error={mutation.error} />
    </div>
  );
}
