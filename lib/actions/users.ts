'use server';

import { revalidatePath } from 'next/cache';
import { composeAction } from '@/lib/server/actions/create-action-definer';
import { defineAction } from '@/lib/server/actions/define-action';
import { createUserSpec, resetUserPasswordSpec, setUserDisabledSpec, setUserRoleSpec, setUserTeamSpec } from '@/lib/server/actions/specs/users';

// Account administration; the rules are in the specs (lib/server/actions/specs/users.ts).

const createUserAction = defineAction(createUserSpec);
const setUserDisabledAction = defineAction(setUserDisabledSpec);
const setUserTeamAction = defineAction(setUserTeamSpec);
const setUserRoleAction = defineAction(setUserRoleSpec);
const resetUserPasswordAction = defineAction(resetUserPasswordSpec);

/** Shows the new account's temporary password once, in the result. */
export const createUser = composeAction(createUserAction, { onSuccess: () => revalidatePath('/admin/users') });

export const setUserDisabled = composeAction(setUserDisabledAction, { onSuccess: () => revalidatePath('/admin/users') });

export const setUserTeam = composeAction(setUserTeamAction, { onSuccess: () => revalidatePath('/admin/users') });

export const setUserRole = composeAction(setUserRoleAction, { onSuccess: () => revalidatePath('/admin/users') });

/** Shows the new temporary password once, in the result. */
export const resetUserPassword = composeAction(resetUserPasswordAction, { onSuccess: () => revalidatePath('/admin/users') });
