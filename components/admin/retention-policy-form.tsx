'use client';

import { updateRetentionPolicy } from '@/lib/actions/settings';
import { useActionForm } from '@/lib/client/use-action-mutation';
import { FieldError, FormError } from '@/components/ui/form-feedback';

type RetentionDays = { probeDays: number | null; searchDays: number | null; closedCaseDays: number | null; auditDays: number | null };

const FIELDS: { name: keyof RetentionDays; label: string; hint: string; min: number }[] = [
  { name: 'probeDays', label: 'Probe faces without a lead (days)', hint: 'Crop and embedding of a probe face none of whose searches produced a lead, from upload.', min: 1 },
  { name: 'searchDays', label: 'Searches without a lead (days)', hint: 'A search settled as no match, with its candidates and reviews, from when it ran.', min: 1 },
  { name: 'closedCaseDays', label: 'Closed cases (days)', hint: 'Everything in a case, from its closure.', min: 1 },
  { name: 'auditDays', label: 'Audit events (days)', hint: 'Pruned as a prefix of the chain, with a marker it verifies from. At least 365; blank keeps them for ever.', min: 365 },
];

/** Retention periods; a case under legal hold keeps everything whatever these say. */
export function RetentionPolicyForm({ policy }: { policy: RetentionDays }) {
  const form = useActionForm(updateRetentionPolicy);
  return (
    <form className="stack" onSubmit={form.onSubmit}>
      <p className="muted">Blank keeps that kind of data until something else removes it. A case under legal hold loses nothing.</p>
      {FIELDS.map((field) => (
        <label key={field.name}>
          {field.label}
          <span className="hint">{field.hint}</span>
          <input name={field.name} type="number" min={field.min} max={36_500} defaultValue={policy[field.name] ?? ''} />
          <FieldError error={form.error} name={field.name} />
        </label>
      ))}
      <FormError error={form.formError} />
      {form.isSuccess ? <p className="alert ok">Retention policy saved.</p> : null}
      <button className="button" type="submit" disabled={form.isPending}>
        Save retention policy
      </button>
    </form>
  );
}
