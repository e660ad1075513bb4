import { z } from 'zod';
import { COMPONENT_FINDINGS, FISWG_COMPONENT_IDS } from '@/lib/shared/review/fiswg-components';

export const DECISIONS = ['possible_match', 'no_match', 'inconclusive'] as const;
export type Decision = (typeof DECISIONS)[number];
export const DECISION_LABELS: Record<Decision, string> = { possible_match: 'Possible match', no_match: 'No match', inconclusive: 'Inconclusive' };
export const REVIEW_STAGES = ['first', 'second'] as const;
export type ReviewStage = (typeof REVIEW_STAGES)[number];

/** A decision that must be explained in words: anything but a plain "no match". */
export function needsRationale(decision: Decision): boolean {
  return decision !== 'no_match';
}

export const RATIONALE_MAX = 4000;

export const checklistSchema = z.partialRecord(z.enum(FISWG_COMPONENT_IDS), z.enum(COMPONENT_FINDINGS));
export type Checklist = z.infer<typeof checklistSchema>;

const decisionEntrySchema = z
  .object({
    candidateId: z.string().uuid(),
    decision: z.enum(DECISIONS),
    rationale: z.string().trim().max(RATIONALE_MAX).default(''),
    checklist: checklistSchema.default({}),
  })
  .superRefine((entry, context) => {
    if (needsRationale(entry.decision) && entry.rationale.length < 3) {
      context.addIssue({ code: 'custom', path: ['rationale'], message: 'Write a rationale for a possible match or an inconclusive decision.' });
    }
  });

/**
 * One reviewer's decisions on every candidate of a search, committed together. The stage is not
 * sent: the server knows whether the actor holds the first review or a taken second review.
 */
export const commitReviewSchema = z.object({
  searchId: z.string().uuid(),
  // Empty only for "No match in this list" on a search that listed nobody.
  decisions: z.array(decisionEntrySchema).max(200),
  /** Set by "No match in this list": every candidate no match, as one first-class outcome. */
  isNoMatchInList: z.boolean().default(false),
});
export type CommitReviewInput = z.input<typeof commitReviewSchema>;

/** A committed decision is never edited: a correction is a new record that says why. */
export const correctDecisionSchema = z.object({
  candidateId: z.string().uuid(),
  decision: z.enum(DECISIONS),
  rationale: z.string().trim().min(3, 'Write a rationale.').max(RATIONALE_MAX),
  reason: z.string().trim().min(5, 'Say why the decision is corrected.').max(1000),
});
export type CorrectDecisionInput = z.input<typeof correctDecisionSchema>;

export const takeSecondReviewSchema = z.object({ searchId: z.string().uuid() });

export const requestDisclosureSchema = z.object({
  candidateId: z.string().uuid(),
  statement: z.string().trim().min(10, 'Write the statement for the supervisor (at least 10 characters).').max(4000),
});
