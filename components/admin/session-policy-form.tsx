'use client';

import { updateSessionPolicy } from '@/lib/actions/session-policy';
import { useActionForm } from '@/lib/client/use-action-mutation';
import { FieldError, FormError } from '@/components/ui/form-feedback';
import { MAX_SESSION_MINUTES, MIN_IDLE_MINUTES, MIN_SESSION_MINUTES } from '@/lib/shared/schemas/session-policy';

export function SessionPolicyForm({ absoluteMinutes, idleMinutes }: { absoluteMinutes: number; idleMinutes: number }) {
  const form = useActionForm(updateSessionPolicy);
  const error = form.error;
  return (
    <form className="stack" onSubmit={form.onSubmit}>
      <label>
        Session lifetime (minutes)
        <span className="hint">From sign-in, whatever the activity: then everyone signs in again. At most {MAX_SESSION_MINUTES} (a day).</span>
        <input name="absoluteMinutes" type="number" min={MIN_SESSION_MINUTES} max={MAX_SESSION_MINUTES} defaultValue={absoluteMinutes} required />
        <FieldError error={error} name="absoluteMinutes" />
      </label>
      <label>
        Idle timeout (minutes)
        <span className="hint">A session nobody has used for this long ends.</span>
        <input name="idleMinutes" type="number" min={MIN_IDLE_MINUTES} max={MAX_SESSION_MINUTES} defaultValue={idleMinutes} required />
        <FieldError error={error} name="idleMinutes" />
      </label>
      <FormError error={form.formError} />
      {form.isSuccess ? <p className="alert ok">Session policy saved. It applies to sessions already open.</p> : null}
      <button className="button" type="submit" disabled={form.isPending}>
        Save session policy
      </button>
    </form>
  );
}
