import { z } from 'zod';
import { QUALITY_VERDICTS } from './probe';
import { MAX_LIST_SIZE } from './search';

export const updateSearchPolicySchema = z.object({
  listSize: z.coerce.number().int('Whole numbers only.').min(1, 'At least 1.').max(MAX_LIST_SIZE, `At most ${MAX_LIST_SIZE}.`),
  minimumQuality: z.enum(QUALITY_VERDICTS, 'Choose a quality level.'),
  // A checkbox: sent as "on" when ticked, absent when not.
  isFirstReviewBlind: z.preprocess((value) => value === true || value === 'on' || value === 'true', z.boolean()),
});

// A blank field keeps that kind of data until something else removes it.
const optionalDays = (minimum: number) =>
  z.preprocess(
    (value) => (value === '' || value === undefined || value === null ? null : value),
    z.coerce.number().int('Whole days only.').min(minimum, `At least ${minimum} days.`).max(36_500, 'At most 36,500 days.').nullable(),
  );

export const updateRetentionPolicySchema = z.object({
  probeDays: optionalDays(1),
  searchDays: optionalDays(1),
  closedCaseDays: optionalDays(1),
  // The audit log is kept at least a year: the chain is what proves everything else.
  auditDays: optionalDays(365),
});
