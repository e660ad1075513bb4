import { z } from 'zod';

export const MAX_LIST_SIZE = 50;
export const DEFAULT_LIST_SIZE = 20;
/** A probe of one person is at most this many faces: the primary one and up to nine more. */
export const MAX_EXTRA_PROBE_FACES = 9;
export const SEARCH_MODES = ['rank', 'threshold'] as const;
export type SearchMode = (typeof SEARCH_MODES)[number];

export const runSearchSchema = z
  .object({
    probeFaceId: z.string().uuid('Unknown probe face.'),
    /**
     * More faces of the same person (other stills, frames of a clip), searched with `probeFaceId` as one
     * probe: each gallery person's best score over all the faces counts (run-face-search.ts).
     */
    extraProbeFaceIds: z
      .array(z.string().uuid('Unknown probe face.'))
      .max(MAX_EXTRA_PROBE_FACES, `A probe is at most ${MAX_EXTRA_PROBE_FACES + 1} faces.`)
      .refine((ids) => new Set(ids).size === ids.length, 'Each face can be part of the probe only once.')
      .default([]),
    watchlistIds: z.array(z.string().uuid('Unknown watch-list.')).min(1, 'Choose at least one watch-list.').max(50),
    mode: z.enum(SEARCH_MODES).default('rank'),
    listSize: z.coerce.number().int().min(1).max(MAX_LIST_SIZE).optional(),
    /** Raw cosine score, for threshold mode. */
    threshold: z.coerce.number().min(-1).max(1).optional(),
    /** Required when the face's quality is below the policy minimum; recorded in the audit log. */
    qualityOverrideReason: z.string().trim().min(10, 'Explain (at least 10 characters) why a poor face must be searched.').max(1000).optional(),
    /** The investigator's acknowledgement that a chosen watch-list is past its review date; audited. */
    isOverdueReviewAcknowledged: z.boolean().default(false),
  })
  .refine((input) => input.mode !== 'threshold' || input.threshold !== undefined, {
    path: ['threshold'],
    message: 'Threshold mode needs a threshold.',
  })
  .refine((input) => !input.extraProbeFaceIds.includes(input.probeFaceId), {
    path: ['extraProbeFaceIds'],
    message: 'Each face can be part of the probe only once.',
  });
export type RunSearchInput = z.infer<typeof runSearchSchema>;
