import { z } from 'zod';
import { DECISIONS } from '@/lib/shared/schemas/review';

// The supervisor's decisions. Each needs a written rationale: it is what a court, a complaint or an
// inspection reads to learn why a lead went to the investigation, or did not.

const rationaleSchema = z.string().trim().min(10, 'Write the rationale for your decision (at least 10 characters).').max(4000);

/** Approve or refuse a pending disclosure request. */
export const decideDisclosureSchema = z.object({
  disclosureId: z.string().uuid(),
  rationale: rationaleSchema,
});
export type DecideDisclosureInput = z.input<typeof decideDisclosureSchema>;

/** A final decision on every candidate the two reviewers disagreed on. */
export const resolveDisputeSchema = z.object({
  disputeId: z.string().uuid(),
  decisions: z
    .array(z.object({ candidateId: z.string().uuid(), decision: z.enum(DECISIONS) }))
    .min(1, 'Decide every disputed candidate.')
    .max(200),
  rationale: rationaleSchema,
});
export type ResolveDisputeInput = z.input<typeof resolveDisputeSchema>;
