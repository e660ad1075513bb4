'use client';

import { useRouter } from 'next/navigation';
import { placeCaseLegalHold, releaseCaseLegalHold } from '@/lib/actions/cases';
import { useActionForm } from '@/lib/client/use-action-mutation';
import { FieldError, FormError } from '@/components/ui/form-feedback';

/** Places or releases a legal hold: while held, retention deletes nothing of the case. */
export function LegalHoldForm({ caseId, isHeld }: { caseId: string; isHeld: boolean }) {
  const router = useRouter();
  const form = useActionForm(isHeld ? releaseCaseLegalHold : placeCaseLegalHold, {
    extra: { caseId },
    onSuccess: (_data, element) => {
      element.reset();
      router.refresh();
    },
  });
  return (
    <form className="stack" onSubmit={form.onSubmit}>
      <label>
        {isHeld ? 'Reason to release the hold' : 'Reason for a legal hold'}
        <span className="hint">
          {isHeld ? 'Retention applies again once the hold is released.' : 'Litigation, a complaint, a disclosure obligation or an inquiry: nothing of this case will be deleted while held.'}
        </span>
        <textarea name="reason" rows={2} required minLength={10} />
        <FieldError error={form.error} name="reason" />
      </label>
      <FormError error={form.formError} />
      <button className={`button ${isHeld ? 'secondary' : ''}`} type="submit" disabled={form.isPending}>
        {isHeld ? 'Release legal hold' : 'Place legal hold'}
      </button>
    </form>
  );
}
