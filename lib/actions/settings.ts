'use server';

import { revalidatePath } from 'next/cache';
import { authorizeCreation } from '@/lib/server/actions/create-action-definer';
import { composeAction } from '@/lib/server/actions/create-action-definer';
import { defineAction } from '@/lib/server/actions/define-action';
import { readSearchPolicy, writeSearchPolicy, SEARCH_POLICY_KEY } from '@/lib/server/settings/search-policy';
import { updateRetentionPolicySchema, updateSearchPolicySchema } from '@/lib/shared/schemas/settings';
import { RETENTION_POLICY_KEY, writeRetentionPolicy } from '@/lib/server/retention/retention-policy';

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

export const updateSearchPolicy = composeAction(updateSearchPolicyAction, { onSuccess: () => revalidatePath('/admin/settings') });

const updateRetentionPolicyAction = defineAction({
  name: 'settings.update_retention_policy',
  permission: 'settings:manage',
  input: updateRetentionPolicySchema,
  // A single system-wide setting: the permission is the whole authorisation.
  authorize: authorizeCreation,
  async run({ input, tx }) {
    const { previous, policy } = await writeRetentionPolicy(tx, input);
    return { data: policy, target: { type: 'setting', id: RETENTION_POLICY_KEY }, auditPayload: { previous, next: policy } };
  },
});

export const updateRetentionPolicy = composeAction(updateRetentionPolicyAction, { onSuccess: () => revalidatePath('/admin/settings') });
