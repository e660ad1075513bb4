'use client';

import { useRouter } from 'next/navigation';
import { deleteWatchlist } from '@/lib/actions/watchlists';
import { formToObject, useActionMutation } from '@/lib/client/use-action-mutation';
import { FieldError, FormError } from '@/components/ui/form-feedback';

export function DeleteWatchlistForm({ watchlistId, name }: { watchlistId: string; name: string }) {
  const router = useRouter();
  const mutation = useActionMutation(deleteWatchlist);
  const error = mutation.error;
  return (
    <form
      className="stack"
      onSubmit={(event) => {
        event.preventDefault();
        mutation.mutate({ ...formToObject(event.currentTarget), watchlistId }, { onSuccess: () => router.push('/admin/watchlists') });
      }}
    >
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
      <FormError error={error?.fieldErrors ? null : error} />
      <button className="button danger" type="submit" disabled={mutation.isPending}>
        Delete watch-list
      </button>
    </form>
  );
}
