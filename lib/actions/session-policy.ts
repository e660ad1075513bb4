'use server';

import { revalidatePath } from 'next/cache';
import { authorizeCreation } from '@/lib/server/actions/create-action-definer';
import { composeAction } from '@/lib/server/actions/create-action-definer';
import { defineAction } from '@/lib/server/actions/define-action';
import { SESSION_POLICY_KEY, writeSessionPolicy } from '@/lib/server/settings/session-policy';
import { sessionPolicySchema } from '@/lib/shared/schemas/session-policy';

const updateSessionPolicyAction = defineAction({
  name: 'settings.update_session_policy',
  permission: 'settings:manage',
  input: sessionPolicySchema,
  // A single system-wide setting: the permission is the whole authorisation.
  authorize: authorizeCreation,
  async run({ input, tx }) {
    const { previous, next } = await writeSessionPolicy(tx, input);
    return { data: next, target: { type: 'setting', id: SESSION_POLICY_KEY }, auditPayload: { previous, next } };
  },
});

/** Applies at once: open sessions are checked against the policy on every request. */
export const updateSessionPolicy = composeAction(updateSessionPolicyAction, { onSuccess: () => revalidatePath('/admin/settings') });
