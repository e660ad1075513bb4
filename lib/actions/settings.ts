'use server';

import { revalidatePath } from 'next/cache';
import { authorizeCreation } from '@/lib/server/actions/create-action-definer';
import { defineAction } from '@/lib/server/actions/define-action';
import { readSearchPolicy, writeSearchPolicy, SEARCH_POLICY_KEY } from '@/lib/server/settings/search-policy';
import { updateSearchPolicySchema } from '@/lib/shared/schemas/settings';

const updateSearchPolicyAction = defineAction({
  name: 'settings.update_search_policy',
  permission: 'settings:manage',
  input: updateSearchPolicySchema,
  // A single system-wide setting: the permission is the whole authorisation.
  authorize: authorizeCreation,
  async run({ input, tx }) {
    const previous = await readSearchPolicy(tx);
    await writeSearchPolicy(tx, input);
    return { data: input, target: { type: 'setting', id: SEARCH_POLICY_KEY }, auditPayload: { previous, next: input } };
  },
});

export async function updateSearchPolicy(input: unknown) {
  const result = await updateSearchPolicyAction(input);
  if (result.ok) revalidatePath('/admin/settings');
  return result;
}
