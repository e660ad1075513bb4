'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { createUser } from '@/lib/actions/users';
import { useActionForm } from '@/lib/client/use-action-mutation';
import { FieldError, FormError } from '@/components/ui/form-feedback';
import { TemporaryPassword } from '@/components/admin/temporary-password';
import { ROLE_LABELS, ROLES } from '@/lib/shared/roles';

export function CreateUserForm({ teamNames }: { teamNames: string[] }) {
  const router = useRouter();
  const [created, setCreated] = useState<{ email: string; temporaryPassword: string } | null>(null);
  const form = useActionForm(createUser, {
    onSuccess: (data, element) => {
      setCreated({ email: data.email, temporaryPassword: data.temporaryPassword });
      element.reset();
      router.refresh();
    },
  });
  const error = form.error;
  return (
    <form
      className="stack"
      onSubmit={(event) => {
        setCreated(null);
        form.onSubmit(event);
      }}
    >
      <label>
        E-mail
        <input name="email" type="email" required />
        <FieldError error={error} name="email" />
      </label>
      <label>
        Name
        <input name="displayName" required />
        <FieldError error={error} name="displayName" />
      </label>
      <label>
        Role
        <select name="role" defaultValue="investigator">
          {ROLES.map((role) => (
            <option key={role} value={role}>
              {ROLE_LABELS[role]}
            </option>
          ))}
        </select>
        <FieldError error={error} name="role" />
      </label>
      {/* The hint sits outside the label so the field's accessible name is just "Team". */}
      <label>
        Team
        <input name="teamName" list="team-names" aria-describedby="team-hint" />
        <datalist id="team-names">
          {teamNames.map((name) => (
            <option key={name} value={name} />
          ))}
        </datalist>
        <FieldError error={error} name="teamName" />
      </label>
      <span className="hint" id="team-hint">
        The investigative unit whose cases they work on. A new name creates the team. Leave empty for an administrator.
      </span>
      <span className="hint">
        No password to choose: the server makes a temporary one, shown once, which they must replace when they first sign in.
      </span>
      <FormError error={form.formError} />
      {created ? <TemporaryPassword lead="Account created." email={created.email} password={created.temporaryPassword} /> : null}
      <button className="button" type="submit" disabled={form.isPending}>
        Create account
      </button>
    </form>
  );
}
