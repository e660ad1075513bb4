'use client';

import { useRouter } from 'next/navigation';
import { useId, useState } from 'react';
import { approveDisclosure, refuseDisclosure } from '@/lib/actions/supervision';
import { useActionMutation } from '@/lib/client/use-action-mutation';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { FieldError, FormError } from '@/components/ui/form-feedback';

type Choice = 'approve' | 'refuse';

const MIN_RATIONALE = 10;

/**
 * Approve or refuse a disclosure request, with the supervisor's rationale, after a confirmation: an
 * approval generates the disclosure pack, once, and neither decision can be changed afterwards.
 */
export function DecideDisclosureForm({ disclosureId, leadLabel }: { disclosureId: string; leadLabel: string }) {
  const router = useRouter();
  const ids = useId();
  const [rationale, setRationale] = useState('');
  const [choice, setChoice] = useState<Choice | null>(null);
  const [isTooShort, setIsTooShort] = useState(false);
  const approve = useActionMutation(approveDisclosure);
  const refuse = useActionMutation(refuseDisclosure);
  const mutation = choice === 'refuse' ? refuse : approve;
  const isPending = approve.isPending || refuse.isPending;

  const ask = (next: Choice) => {
    if (rationale.trim().length < MIN_RATIONALE) {
      setIsTooShort(true);
      return;
    }
    setIsTooShort(false);
    approve.reset();
    refuse.reset();
    setChoice(next);
  };
  const confirm = () => {
    if (!choice) return;
    (choice === 'approve' ? approve : refuse).mutate(
      { disclosureId, rationale },
      {
        onSuccess: () => {
          setChoice(null);
          router.refresh();
        },
        onError: () => setChoice(null),
      },
    );
  };

  return (
    <form className="stack" aria-label={`Decide on the disclosure of ${leadLabel}`} onSubmit={(event) => event.preventDefault()} data-testid="decide-disclosure">
      <label htmlFor={`${ids}-rationale`}>Rationale</label>
      <span className="hint" id={`${ids}-hint`} style={{ marginTop: '-0.6rem' }}>
        Why this lead should, or should not, go to the investigation: necessity, proportionality, what the reviews show. It is kept with the
        decision and printed in the pack.
      </span>
      <textarea
        id={`${ids}-rationale`}
        name="rationale"
        rows={4}
        required
        minLength={MIN_RATIONALE}
        aria-describedby={`${ids}-hint`}
        aria-invalid={isTooShort || Boolean(mutation.error?.fieldErrors?.rationale)}
        value={rationale}
        onChange={(event) => setRationale(event.target.value)}
      />
      {isTooShort ? <span className="field-error">Write the rationale for your decision (at least {MIN_RATIONALE} characters).</span> : null}
      <FieldError error={mutation.error} name="rationale" />
      <FormError error={mutation.error?.fieldErrors ? null : mutation.error} />
      <div className="row">
        <button type="button" className="button" disabled={isPending} onClick={() => ask('approve')}>
          Approve
        </button>
        <button type="button" className="button danger" disabled={isPending} onClick={() => ask('refuse')}>
          Refuse
        </button>
      </div>
      {choice ? (
        <ConfirmDialog
          title={choice === 'approve' ? 'Approve this disclosure?' : 'Refuse this disclosure?'}
          isPending={isPending}
          onConfirm={confirm}
          onCancel={() => setChoice(null)}
        >
          <p>
            {choice === 'approve'
              ? `${leadLabel} goes to the investigation as a lead. The disclosure pack is generated now, once, and stored with its SHA-256 in the audit log.`
              : `${leadLabel} does not go to the investigation. The investigator may ask again with a new statement.`}
          </p>
          <p className="muted">The decision and your rationale are final and cannot be edited.</p>
        </ConfirmDialog>
      ) : null}
    </form>
  );
}
