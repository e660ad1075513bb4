'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/server/actions/define-action';
import { approveDisclosureSpec, refuseDisclosureSpec, resolveDisputeSpec } from '@/lib/server/actions/specs/supervision';

const approveDisclosureAction = defineAction(approveDisclosureSpec);
const refuseDisclosureAction = defineAction(refuseDisclosureSpec);
const resolveDisputeAction = defineAction(resolveDisputeSpec);

export async function approveDisclosure(input: unknown) {
  const result = await approveDisclosureAction(input);
  if (result.ok) revalidatePath('/disclosures');
  return result;
}

export async function refuseDisclosure(input: unknown) {
  const result = await refuseDisclosureAction(input);
  if (result.ok) revalidatePath('/disclosures');
  return result;
}

export async function resolveDispute(input: unknown) {
  const result = await resolveDisputeAction(input);
  if (result.ok) revalidatePath('/disclosures');
  return result;
}
