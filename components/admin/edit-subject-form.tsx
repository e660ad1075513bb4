'use client';

import { useRouter } from 'next/navigation';
import { updateSubject } from '@/lib/actions/watchlists';
import { useActionForm } from '@/lib/client/use-action-mutation';
import { FieldError, FormError } from '@/components/ui/form-feedback';

/** A subject's reference and name, edited in place; the previous values go into the audit record. */
export function EditSubjectForm({ subject }: { subject: { id: string; reference: string; displayName: string } }) {
  const router = useRouter();
  const form = useActionForm(updateSubject, { extra: { subjectId: subject.id }, onSuccess: () => router.refresh() });
  const error = form.error;
  return (
    <details>
      <summary>Edit</summary>
      <form className="stack" onSubmit={form.onSubmit} aria-label={`Edit subject ${subject.reference}`}>
        <label>
          Reference
          <input name="reference" required maxLength={120} defaultValue={subject.reference} />
          <FieldError error={error} name="reference" />
        </label>
        <label>
          Name
          <input name="displayName" required maxLength={200} defaultValue={subject.displayName} />
          <FieldError error={error} name="displayName" />
        </label>
        <FormError error={form.formError} />
        <button className="button secondary" type="submit" disabled={form.isPending}>
          {form.isPending ? 'Saving…' : 'Save subject'}
        </button>
      </form>
    </details>
  );
}
