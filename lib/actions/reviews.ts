'use server';

import { revalidatePath } from 'next/cache';
import { composeAction } from '@/lib/server/actions/create-action-definer';
import { defineAction } from '@/lib/server/actions/define-action';
import { commitReviewSpec, correctDecisionSpec, requestDisclosureSpec, takeSecondReviewSpec } from '@/lib/server/actions/specs/review';

const commitReviewAction = defineAction(commitReviewSpec);
const takeSecondReviewAction = defineAction(takeSecondReviewSpec);
const requestDisclosureAction = defineAction(requestDisclosureSpec);

export const commitReview = composeAction(commitReviewAction, { onSuccess: () => revalidatePath('/reviews') });

export const correctDecision = defineAction(correctDecisionSpec);

export const takeSecondReview = composeAction(takeSecondReviewAction, { onSuccess: () => revalidatePath('/reviews') });

export const requestDisclosure = composeAction(requestDisclosureAction, { onSuccess: () => revalidatePath('/disclosures') });
