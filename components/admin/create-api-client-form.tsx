'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { ClientSecret } from '@/components/admin/client-secret';
import { FieldError, FormError } from '@/components/ui/form-feedback';
import { createApiClient } from '@/lib/actions/api-clients';
import { formToObject, useActionMutation } from '@/lib/client/use-action-mutation';
import { DEFAULT_CLIENT_EXPIRY, DEFAULT_CLIENT_RATE } from '@/lib/shared/schemas/api-client';

export function CreateApiClientForm({ teamNames, watchlists }: { teamNames: string[]; watchlists: { id: string; name: string }[] }) {
  const router = useRouter();
  const mutation = useActionMutation(createApiClient);
  const [created, setCreated] = useState<{ clientId: string; clientSecret: string } | null>(null);
  const error = mutation.error;
  return (
    <form
      className="stack"
      onSubmit={(event) => {
        event.preventDefault();
        const form = event.currentTarget;
        setCreated(null);
        // Checkboxes: always a list, even with one ticked.
        const input = { ...formToObject(form), watchlists: new FormData(form).getAll('watchlists') };
        mutation.mutate(input, {
          onSuccess: (data) => {
            setCreated({ clientId: data.clientId, clientSecret: data.clientSecret });
            form.reset();
            router.refresh();
          },
        });
      }}
    >
      <label>
        Client name
        <input name="name" required minLength={3} maxLength={100} />
        <FieldError error={error} name="name" />
      </label>
      <label>
        Team
        <select name="team" required defaultValue="">
          <option value="" disabled>
            Choose the team it works for
          </option>
          {teamNames.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
        <FieldError error={error} name="team" />
      </label>
      <fieldset>
        <legend>Watch-lists it may search</legend>
        {watchlists.map((list) => (
          <label key={list.id} className="row">
            <input type="checkbox" name="watchlists" value={list.name} /> {list.name}
          </label>
        ))}
        <FieldError error={error} name="watchlists" />
      </fieldset>
      <label>
        Rate limit
        <input name="rate" defaultValue={DEFAULT_CLIENT_RATE} aria-describedby="rate-hint" required />
        <FieldError error={error} name="rate" />
      </label>
      <span className="hint" id="rate-hint">
        Requests per second, minute or hour, e.g. 10/s or 600/min; also the largest burst.
      </span>
      <label>
        Lifetime
        <input name="expires" defaultValue={DEFAULT_CLIENT_EXPIRY} aria-describedby="expires-hint" required />
        <FieldError error={error} name="expires" />
      </label>
      <span className="hint" id="expires-hint">
        e.g. 90d, 12h, or never. After it, the client is refused until it is registered again.
      </span>
      <FormError error={error?.fieldErrors ? null : error} />
      {created ? <ClientSecret lead="Client registered." clientId={created.clientId} secret={created.clientSecret} /> : null}
      <button className="button" type="submit" disabled={mutation.isPending}>
        Register client
      </button>
    </form>
  );
}
