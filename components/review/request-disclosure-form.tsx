'use client';

import { useRouter } from 'next/navigation';
import { requestDisclosure } from '@/lib/actions/reviews';
import { useActionForm } from '@/lib/client/use-action-mutation';
import { FieldError, FormError } from '@/components/ui/form-feedback';

/** Put a confirmed possible match to the supervisor, with the investigator's statement. */
export function RequestDisclosureForm({ candidateId, subjectLabel }: { candidateId: string; subjectLabel: string }) {
  const router = useRouter();
  const form = useActionForm(requestDisclosure, { extra: { candidateId }, onSuccess: () => router.refresh() });
  return (
    <form className="stack" onSubmit={form.onSubmit} aria-label={`Request disclosure of ${subjectLabel}`}>
      <label>
        Statement
        <span className="hint">Why this lead should go to the investigation: what both reviewers saw, and what it will be used for.</span>
        <textarea name="statement" rows={3} required minLength={10} />
        <FieldError error={form.error} name="statement" />
      </label>
      <FormError error={form.formError} />
      <button className="button" type="submit" disabled={form.isPending}>
        Request disclosure
      </button>
    </form>
  );
}
