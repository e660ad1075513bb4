'use client';

import { useRouter } from 'next/navigation';
import { useId, useState } from 'react';
import { resolveDispute } from '@/lib/actions/supervision';
import { useActionMutation } from '@/lib/client/use-action-mutation';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { FieldError, FormError } from '@/components/ui/form-feedback';
import { DECISIONS, DECISION_LABELS, type Decision } from '@/lib/shared/schemas/review';

const MIN_RATIONALE = 10;

/** The supervisor's final decision on each candidate the two reviewers disagreed on, with a rationale. */
export function ResolveDisputeForm({ disputeId, candidates }: { disputeId: string; candidates: { id: string; label: string }[] }) {
  const router = useRouter();
  const ids = useId();
  const [decisions, setDecisions] = useState<Record<string, Decision>>({});
  const [rationale, setRationale] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [isConfirming, setIsConfirming] = useState(false);
  const mutation = useActionMutation(resolveDispute);

  const ask = () => {
    if (candidates.some((candidate) => !decisions[candidate.id])) return setProblem('Give a final decision on every disputed candidate.');
    if (rationale.trim().length < MIN_RATIONALE) return setProblem(`Write the rationale for your decision (at least ${MIN_RATIONALE} characters).`);
    setProblem(null);
    mutation.reset();
    setIsConfirming(true);
  };
  const confirm = () =>
    mutation.mutate(
      { disputeId, rationale, decisions: candidates.map((candidate) => ({ candidateId: candidate.id, decision: decisions[candidate.id] })) },
      {
        onSuccess: () => {
          setIsConfirming(false);
          router.refresh();
        },
        onError: () => setIsConfirming(false),
      },
    );

  return (
    <form className="stack" aria-label="Resolve the dispute" onSubmit={(event) => event.preventDefault()} data-testid="resolve-dispute">
      {candidates.map((candidate) => (
        <fieldset key={candidate.id} role="radiogroup" aria-label={`Final decision on ${candidate.label}`} style={{ border: '1px solid var(--line)', borderRadius: 6 }}>
          <legend>Final decision on {candidate.label}</legend>
          <div className="row">
            {DECISIONS.map((decision) => (
              <label key={decision} style={{ display: 'flex', gap: '0.3rem', alignItems: 'center', fontWeight: 400 }}>
                <input
                  type="radio"
                  name={`decision-${candidate.id}`}
                  value={decision}
                  checked={decisions[candidate.id] === decision}
                  onChange={() => setDecisions((current) => ({ ...current, [candidate.id]: decision }))}
                />
                {DECISION_LABELS[decision]}
              </label>
            ))}
          </div>
        </fieldset>
      ))}
      <label htmlFor={`${ids}-rationale`}>Rationale</label>
      <textarea id={`${ids}-rationale`} name="rationale" rows={4} required minLength={MIN_RATIONALE} value={rationale} onChange={(event) => setRationale(event.target.value)} />
      {problem ? <span className="field-error">{problem}</span> : null}
      <FieldError error={mutation.error} name="rationale" />
      <FormError error={mutation.error?.fieldErrors?.rationale ? null : mutation.error} />
      <div className="row">
        <button type="button" className="button" disabled={mutation.isPending} onClick={ask}>
          Resolve dispute
        </button>
      </div>
      {isConfirming ? (
        <ConfirmDialog title="Resolve this dispute?" isPending={mutation.isPending} onConfirm={confirm} onCancel={() => setIsConfirming(false)}>
          <ul>
            {candidates.map((candidate) => (
              <li key={candidate.id}>
                {candidate.label}: <strong>{DECISION_LABELS[decisions[candidate.id]!]}</strong>
              </li>
            ))}
          </ul>
          <p className="muted">Your decisions stand in place of the reviewers’ disagreement and cannot be edited.</p>
        </ConfirmDialog>
      ) : null}
    </form>
  );
}
