'use client';

import { useRouter } from 'next/navigation';
import { deleteWatchlist } from '@/lib/actions/watchlists';
import { useActionForm } from '@/lib/client/use-action-mutation';
import { FieldError, FormError } from '@/components/ui/form-feedback';

export function DeleteWatchlistForm({ watchlistId, name }: { watchlistId: string; name: string }) {
  const router = useRouter();
  const form = useActionForm(deleteWatchlist, { extra: { watchlistId }, onSuccess: () => router.push('/admin/watchlists') });
  const error = form.error;
  return (
    <form className="stack" onSubmit={form.onSubmit}>
      <p className="muted">
        Deleting the watch-list erases every enrolled face in it from the index and the disk. Past searches keep their
        audit trail. This cannot be undone.
      </p>
      <label>
        Reason
        <input name="reason" required minLength={10} />
        <FieldError error={error} name="reason" />
      </label>
      <label>
        Type the name <strong>{name}</strong> to confirm
        <input name="confirmName" required autoComplete="off" />
        <FieldError error={error} name="confirmName" />
      </label>
      <FormError error={form.formError} />
      <button className="button danger" type="submit" disabled={form.isPending}>
        Delete watch-list
      </button>
    </form>
  );
}
