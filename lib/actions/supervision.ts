'use server';

import { revalidatePath } from 'next/cache';
import { composeAction } from '@/lib/server/actions/create-action-definer';
import { defineAction } from '@/lib/server/actions/define-action';
import { approveDisclosureSpec, refuseDisclosureSpec, resolveDisputeSpec } from '@/lib/server/actions/specs/supervision';

const approveDisclosureAction = defineAction(approveDisclosureSpec);
const refuseDisclosureAction = defineAction(refuseDisclosureSpec);
const resolveDisputeAction = defineAction(resolveDisputeSpec);

export const approveDisclosure = composeAction(approveDisclosureAction, { onSuccess: () => revalidatePath('/disclosures') });

export const refuseDisclosure = composeAction(refuseDisclosureAction, { onSuccess: () => revalidatePath('/disclosures') });

export const resolveDispute = composeAction(resolveDisputeAction, { onSuccess: () => revalidatePath('/disclosures') });
