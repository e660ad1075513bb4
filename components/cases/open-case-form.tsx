'use client';

import { useRouter } from 'next/navigation';
import { openCase } from '@/lib/actions/cases';
import { useActionForm } from '@/lib/client/use-action-mutation';
import { FieldError, FormError } from '@/components/ui/form-feedback';

export function OpenCaseForm() {
  const router = useRouter();
  const form = useActionForm(openCase, { onSuccess: ({ caseId }) => router.push(`/cases/${caseId}`) });
  const error = form.error;
  return (
    <form className="stack" onSubmit={form.onSubmit}>
      <label>
        Case reference
        <span className="hint">As recorded in your force&rsquo;s case management system.</span>
        <input name="reference" required />
        <FieldError error={error} name="reference" />
      </label>
      <label>
        Offence
        <input name="offence" required />
        <FieldError error={error} name="offence" />
      </label>
      <label>
        Purpose of the search
        <span className="hint">Why a facial search is necessary and proportionate in this case.</span>
        <textarea name="purpose" rows={3} required />
        <FieldError error={error} name="purpose" />
      </label>
      <label>
        Legal basis
        <span className="hint">E.g. the statutory power or policy the search relies on.</span>
        <input name="legalBasis" required />
        <FieldError error={error} name="legalBasis" />
      </label>
      <FormError error={form.formError} />
      <button className="button" type="submit" disabled={form.isPending}>
        {form.isPending ? 'Opening…' : 'Open case'}
      </button>
    </form>
  );
}
