import { z } from 'zod';

const text = (label: string, min: number, max: number) =>
  z
    .string()
    .trim()
    .min(min, `${label} must be at least ${min} characters.`)
    .max(max, `${label} must be at most ${max} characters.`);

export const openCaseSchema = z.object({
  reference: text('Reference', 3, 64).regex(/^[A-Za-z0-9][A-Za-z0-9/_.-]*$/, 'Use letters, digits and / _ . - only.'),
  offence: text('Offence', 3, 200),
  // A search must be necessary and proportionate: the purpose and the legal basis are written down
  // before any face is searched, and every search and disclosure refers back to them.
  purpose: text('Purpose', 10, 2000),
  legalBasis: text('Legal basis', 5, 500),
});
export type OpenCaseInput = z.infer<typeof openCaseSchema>;

export const caseIdSchema = z.object({ caseId: z.string().uuid('Unknown case.') });
