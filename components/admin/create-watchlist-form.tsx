'use client';

import { useRouter } from 'next/navigation';
import { createWatchlist } from '@/lib/actions/watchlists';
import { useActionForm } from '@/lib/client/use-action-mutation';
import { FieldError, FormError } from '@/components/ui/form-feedback';

export function CreateWatchlistForm({ investigators }: { investigators: { id: string; displayName: string; email: string }[] }) {
  const router = useRouter();
  const form = useActionForm(createWatchlist, {
    onSuccess: (_data, element) => {
      element.reset();
      router.refresh();
    },
  });
  const error = form.error;
  return (
    <form className="stack" onSubmit={form.onSubmit}>
      <label>
        Name
        <input name="name" required />
        <FieldError error={error} name="name" />
      </label>
      <label>
        Purpose
        <textarea name="purpose" rows={2} required />
        <FieldError error={error} name="purpose" />
      </label>
      <label>
        Legal authority
        <input name="authority" required />
        <FieldError error={error} name="authority" />
      </label>
      <label>
        Retention (days)
        <span className="hint">Enrolled faces are erased this many days after enrolment.</span>
        <input name="retentionDays" type="number" min={1} max={3650} defaultValue={365} required />
        <FieldError error={error} name="retentionDays" />
      </label>
      <label>
        Next review
        <input name="reviewDate" type="date" required />
        <FieldError error={error} name="reviewDate" />
      </label>
      <fieldset>
        <legend>Who may search it</legend>
        <p className="hint muted">Tick investigators to restrict the list to them; leave all unticked for every investigator.</p>
        {investigators.map((investigator) => (
          <label key={investigator.id} style={{ display: 'flex', gap: '0.5rem', fontWeight: 400 }}>
            <input type="checkbox" name="searchableBy" value={investigator.id} />
            {investigator.displayName} <span className="muted">{investigator.email}</span>
          </label>
        ))}
        <FieldError error={error} name="searchableBy" />
      </fieldset>
      <FormError error={form.formError} />
      <button className="button" type="submit" disabled={form.isPending}>
        Create watch-list
      </button>
    </form>
  );
}
