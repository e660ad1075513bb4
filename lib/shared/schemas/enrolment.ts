import { z } from 'zod';

export const MAX_ENROLMENT_IMAGE_BYTES = 3 * 1024 * 1024;

export const subjectReferenceSchema = z
  .string()
  .trim()
  .min(1, 'Give the subject a reference.')
  .max(120, 'At most 120 characters.')
  .regex(/^[^/\\\u0000-\u001f]+$/, 'No slashes or control characters.');

/** One image for a watch-list, from the admin page's upload or `npm run enrol` (the same action). */
export const enrolImageSchema = z.object({
  watchlistId: z.string().uuid('Unknown watch-list.'),
  subjectReference: subjectReferenceSchema,
  // The upload's file name, or the path a command-line run read the image from (hence the length).
  fileName: z.string().trim().min(1).max(1024),
  file: z
    .instanceof(Blob, { message: 'Attach an image file.' })
    .refine((file) => file.size > 0, 'The file is empty.')
    .refine((file) => file.size <= MAX_ENROLMENT_IMAGE_BYTES, `Images up to ${MAX_ENROLMENT_IMAGE_BYTES / 1024 / 1024} MB can be enrolled.`),
});
