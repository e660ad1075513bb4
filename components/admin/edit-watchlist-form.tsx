'use client';

import { useRouter } from 'next/navigation';
import { updateWatchlist } from '@/lib/actions/watchlists';
import { useActionForm } from '@/lib/client/use-action-mutation';
import { FieldError, FormError } from '@/components/ui/form-feedback';

export type EditableWatchlist = {
  id: string;
  purpose: string;
  authority: string;
  retentionDays: number;
  /** YYYY-MM-DD */
  reviewDate: string;
  searchableByIds: string[];
};

/** The list's terms, all shown and all sent; the server changes and audits only those that differ. */
export function EditWatchlistForm({ watchlist, investigators }: { watchlist: EditableWatchlist; investigators: { id: string; displayName: string; email: string }[] }) {
  const router = useRouter();
  const form = useActionForm(updateWatchlist, { extra: { watchlistId: watchlist.id }, onSuccess: () => router.refresh() });
  const error = form.error;
  const allowed = new Set(watchlist.searchableByIds);
  return (
    <form className="stack" onSubmit={form.onSubmit} aria-label="Edit watch-list">
      <label>
        Purpose
        <textarea name="purpose" rows={2} required defaultValue={watchlist.purpose} />
        <FieldError error={error} name="purpose" />
      </label>
      <label>
        Legal basis
        <input name="authority" required defaultValue={watchlist.authority} />
        <FieldError error={error} name="authority" />
      </label>
      <label>
        Retention (days)
        <span className="hint">Counted from each face&apos;s enrolment: a change applies to the faces already enrolled too.</span>
        <input name="retentionDays" type="number" min={1} max={3650} required defaultValue={watchlist.retentionDays} />
        <FieldError error={error} name="retentionDays" />
      </label>
      <label>
        Review date
        <input name="reviewDate" type="date" required defaultValue={watchlist.reviewDate} />
        <FieldError error={error} name="reviewDate" />
      </label>
      <fieldset>
        <legend>Who may search it</legend>
        <p className="hint muted">Tick investigators to restrict the list to them; leave all unticked for every investigator.</p>
        {investigators.length === 0 ? <p className="muted">No active investigators.</p> : null}
        {investigators.map((investigator) => (
          <label key={investigator.id} style={{ display: 'flex', gap: '0.5rem', fontWeight: 400 }}>
            <input type="checkbox" name="searchableBy" value={investigator.id} defaultChecked={allowed.has(investigator.id)} />
            {investigator.displayName} <span className="muted">{investigator.email}</span>
          </label>
        ))}
        <FieldError error={error} name="searchableBy" />
      </fieldset>
      <FormError error={form.formError} />
      {form.isSuccess && !form.isPending ? (
        <p className="alert ok" role="status">
          Watch-list saved.
        </p>
      ) : null}
      <button className="button" type="submit" disabled={form.isPending}>
        {form.isPending ? 'Saving…' : 'Save watch-list'}
      </button>
    </form>
  );
}
