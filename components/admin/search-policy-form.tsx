'use client';

import { updateSearchPolicy } from '@/lib/actions/settings';
import { useActionForm } from '@/lib/client/use-action-mutation';
import { FieldError, FormError } from '@/components/ui/form-feedback';

export function SearchPolicyForm({ listSize, minimumQuality, isFirstReviewBlind }: { listSize: number; minimumQuality: string; isFirstReviewBlind: boolean }) {
  const form = useActionForm(updateSearchPolicy);
  const error = form.error;
  return (
    <form className="stack" onSubmit={form.onSubmit}>
      <label>
        Candidate list size (rank mode)
        <span className="hint">How many people a search lists by default; investigators may ask for up to 50.</span>
        <input name="listSize" type="number" min={1} max={50} defaultValue={listSize} required />
        <FieldError error={error} name="listSize" />
      </label>
      <label>
        Minimum face quality to search without an override
        <span className="hint">Below this, the investigator must write a reason, which is audited.</span>
        <select name="minimumQuality" defaultValue={minimumQuality}>
          <option value="good">good</option>
          <option value="usable">usable</option>
          <option value="poor">poor (no override ever needed)</option>
        </select>
        <FieldError error={error} name="minimumQuality" />
      </label>
      <label style={{ display: 'flex', gap: '0.5rem', fontWeight: 400 }}>
        <input name="isFirstReviewBlind" type="checkbox" defaultChecked={isFirstReviewBlind} />
        Hide names, references and scores while the first reviewer decides
      </label>
      <span className="hint">
        Recommended: the reviewer judges the faces, not the score. The second review is always blind. Changing this is audited.
      </span>
      <FormError error={form.formError} />
      {form.isSuccess ? <p className="alert ok">Policy saved.</p> : null}
      <button className="button" type="submit" disabled={form.isPending}>
        Save policy
      </button>
    </form>
  );
}
