'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/server/actions/define-action';
import { commitReviewSpec, correctDecisionSpec, requestDisclosureSpec, takeSecondReviewSpec } from '@/lib/server/actions/specs/review';

const commitReviewAction = defineAction(commitReviewSpec);
const correctDecisionAction = defineAction(correctDecisionSpec);
const takeSecondReviewAction = defineAction(takeSecondReviewSpec);
const requestDisclosureAction = defineAction(requestDisclosureSpec);

export async function commitReview(input: unknown) {
  const result = await commitReviewAction(input);
  if (result.ok) revalidatePath('/reviews');
  return result;
}

export async function correctDecision(input: unknown) {
  return correctDecisionAction(input);
}

export async function takeSecondReview(input: unknown) {
  const result = await takeSecondReviewAction(input);
  if (result.ok) revalidatePath('/reviews');
  return result;
}

export async function requestDisclosure(input: unknown) {
  const result = await requestDisclosureAction(input);
  if (result.ok) revalidatePath('/disclosures');
  return result;
}
