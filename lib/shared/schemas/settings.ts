import { z } from 'zod';
import { QUALITY_VERDICTS } from './probe';
import { MAX_LIST_SIZE } from './search';

export const updateSearchPolicySchema = z.object({
  listSize: z.coerce.number().int('Whole numbers only.').min(1, 'At least 1.').max(MAX_LIST_SIZE, `At most ${MAX_LIST_SIZE}.`),
  minimumQuality: z.enum(QUALITY_VERDICTS, 'Choose a quality level.'),
  // A checkbox: sent as "on" when ticked, absent when not.
  isFirstReviewBlind: z.preprocess((value) => value === true || value === 'on' || value === 'true', z.boolean()),
});
