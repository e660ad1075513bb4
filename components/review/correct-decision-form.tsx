'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { correctDecision } from '@/lib/actions/reviews';
import { useActionForm } from '@/lib/client/use-action-mutation';
import { DECISION_LABELS, DECISIONS } from '@/lib/shared/schemas/review';
import { FieldError, FormError } from '@/components/ui/form-feedback';

/** A committed decision is never edited: a correction is recorded beside it, with its reason. */
export function CorrectDecisionForm({ candidateId, label }: { candidateId: string; label: string }) {
  const router = useRouter();
  const [isOpen, setIsOpen] = useState(false);
  const form = useActionForm(correctDecision, {
    extra: { candidateId },
    onSuccess: () => {
      setIsOpen(false);
      router.refresh();
    },
  });
  if (!isOpen) {
    return (
      <button className="button secondary" type="button" onClick={() => setIsOpen(true)} aria-label={`Correct the decision on ${label}`}>
        Correct…
      </button>
    );
  }
  return (
    <form
      className="stack panel"
      onSubmit={form.onSubmit}
      aria-label={`Correct the decision on ${label}`}
      onKeyDown={(event) => {
        if (event.key === 'Escape') setIsOpen(false);
      }}
    >
      <fieldset>
        <legend>New decision</legend>
        {DECISIONS.map((decision) => (
          <label key={decision} style={{ display: 'flex', gap: '0.5rem', fontWeight: 400 }}>
            <input type="radio" name="decision" value={decision} required /> {DECISION_LABELS[decision]}
          </label>
        ))}
      </fieldset>
      <label>
        Rationale for the new decision
        <textarea name="rationale" rows={2} required />
        <FieldError error={form.error} name="rationale" />
      </label>
      <label>
        Reason for the correction
        <textarea name="reason" rows={2} required />
        <FieldError error={form.error} name="reason" />
      </label>
      <FormError error={form.formError} />
      <div className="row">
        <button className="button" type="submit" disabled={form.isPending}>
          Record correction
        </button>
        <button className="button secondary" type="button" onClick={() => setIsOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
