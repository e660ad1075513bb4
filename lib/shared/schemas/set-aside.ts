import { z } from 'zod';
import { MAX_ENROLMENT_IMAGE_BYTES } from './enrolment';

// Resolving an image set aside at enrolment. Only the image's SHA-256 was kept when it was set aside
// (never the picture: it may show bystanders), so the administrator supplies the same file again; the
// server checks it against the recorded hash before looking at it.

const exceptionId = z.string().uuid('Unknown set-aside image.');

const originalFile = z
  .instanceof(Blob, { message: 'Attach the original image file.' })
  .refine((file) => file.size > 0, 'The file is empty.')
  .refine((file) => file.size <= MAX_ENROLMENT_IMAGE_BYTES, `Images up to ${MAX_ENROLMENT_IMAGE_BYTES / 1024 / 1024} MB can be enrolled here.`);

/** Shows the faces found in the re-supplied image, to pick from; writes nothing but the audit record. */
export const inspectSetAsideSchema = z.object({ exceptionId, file: originalFile });

/** Enrols the face picked (by its number in the inspection, left to right) for the set-aside subject. */
export const enrolSetAsideFaceSchema = z.object({
  exceptionId,
  file: originalFile,
  faceNumber: z.coerce.number().int('Pick a face.').min(1, 'Pick a face.').max(100, 'Pick a face.'),
});

export const dismissSetAsideSchema = z.object({
  exceptionId,
  reason: z.string().trim().min(10, 'Record why (at least 10 characters).').max(1000, 'At most 1000 characters.'),
});
