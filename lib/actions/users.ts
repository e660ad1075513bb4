'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/server/actions/define-action';
import { createUserSpec, resetUserPasswordSpec, setUserDisabledSpec, setUserRoleSpec, setUserTeamSpec } from '@/lib/server/actions/specs/users';

// Account administration; the rules are in the specs (lib/server/actions/specs/users.ts).

const createUserAction = defineAction(createUserSpec);
const setUserDisabledAction = defineAction(setUserDisabledSpec);
const setUserTeamAction = defineAction(setUserTeamSpec);
const setUserRoleAction = defineAction(setUserRoleSpec);
const resetUserPasswordAction = defineAction(resetUserPasswordSpec);

/** Shows the new account's temporary password once, in the result. */
export async function createUser(input: unknown) {
  const result = await createUserAction(input);
  if (result.ok) revalidatePath('/admin/users');
  return result;
}

export async function setUserDisabled(input: unknown) {
  const result = await setUserDisabledAction(input);
  if (result.ok) revalidatePath('/admin/users');
  return result;
}

export async function setUserTeam(input: unknown) {
  const result = await setUserTeamAction(input);
  if (result.ok) revalidatePath('/admin/users');
  return result;
}

export async function setUserRole(input: unknown) {
  const result = await setUserRoleAction(input);
  if (result.ok) revalidatePath('/admin/users');
  return result;
}

/** Shows the new temporary password once, in the result. */
export async function resetUserPassword(input: unknown) {
  const result = await resetUserPasswordAction(input);
  if (result.ok) revalidatePath('/admin/users');
  return result;
}
