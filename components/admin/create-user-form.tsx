'use client';

import { useRouter } from 'next/navigation';
import { createUser } from '@/lib/actions/users';
import { useActionForm } from '@/lib/client/use-action-mutation';
import { FieldError, FormError } from '@/components/ui/form-feedback';
import { ROLE_LABELS, ROLES } from '@/lib/shared/roles';

export function CreateUserForm({ teamNames }: { teamNames: string[] }) {
  const router = useRouter();
  const form = useActionForm(createUser, {
    onSuccess: (_data, element) => {
      element.reset();
      router.refresh();
    },
  });
  const error = form.error;
  return (
    <form className="stack" onSubmit={form.onSubmit}>
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
      <label>
        Initial password
        <span className="hint">At least 12 characters. Hand it over in person.</span>
        <input name="password" type="password" autoComplete="new-password" required />
        <FieldError error={error} name="password" />
      </label>
      <FormError error={form.formError} />
      {form.isSuccess ? <p className="alert ok">Account created.</p> : null}
      <button className="button" type="submit" disabled={form.isPending}>
        Create account
      </button>
    </form>
  );
}
