'use client';

import { useRouter } from 'next/navigation';
import { setUserTeam } from '@/lib/actions/users';
import { useActionForm } from '@/lib/client/use-action-mutation';
import { FormError } from '@/components/ui/form-feedback';

/** Moves a user to another team (or a new one): their case visibility changes at their next request. */
export function UserTeamForm({ userId, email, teamName }: { userId: string; email: string; teamName: string | null }) {
  const router = useRouter();
  const form = useActionForm(setUserTeam, { extra: { userId }, onSuccess: () => router.refresh() });
  return (
    <form className="row" onSubmit={form.onSubmit}>
      <input name="teamName" list="team-names" defaultValue={teamName ?? ''} aria-label={`Team of ${email}`} required style={{ width: '12rem' }} />
      <button className="button secondary" type="submit" disabled={form.isPending}>
        Set team
      </button>
      <FormError error={form.error} />
    </form>
  );
}
