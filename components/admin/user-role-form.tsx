'use client';

import { useRouter } from 'next/navigation';
import { setUserRole } from '@/lib/actions/users';
import { useActionForm } from '@/lib/client/use-action-mutation';
import { FieldError, FormError } from '@/components/ui/form-feedback';
import { ROLE_LABELS, ROLES, type Role } from '@/lib/shared/roles';

/** Gives someone another role: their sessions end, and they sign in again as what they now are. */
export function UserRoleForm({ userId, email, role }: { userId: string; email: string; role: Role }) {
  const router = useRouter();
  const form = useActionForm(setUserRole, { extra: { userId }, onSuccess: () => router.refresh() });
  return (
    <form
      className="row"
      onSubmit={(event) => {
        if (!window.confirm(`Change the role of ${email}? They are signed out everywhere at once.`)) {
          event.preventDefault();
          return;
        }
        form.onSubmit(event);
      }}
    >
      <select name="role" defaultValue={role} aria-label={`Role of ${email}`}>
        {ROLES.map((option) => (
          <option key={option} value={option}>
            {ROLE_LABELS[option]}
          </option>
        ))}
      </select>
      {/* Someone without a team (an administrator) needs one to become an investigator or supervisor. */}
      {role === 'admin' ? <input name="teamName" list="team-names" aria-label={`Team for the new role of ${email}`} placeholder="Team" style={{ width: '9rem' }} /> : null}
      <button className="button secondary" type="submit" disabled={form.isPending}>
        Set role
      </button>
      <FieldError error={form.error} name="teamName" />
      <FieldError error={form.error} name="role" />
      <FormError error={form.formError} />
    </form>
  );
}
