import { z } from 'zod';

// What arrives from a browser is untrusted: an embedding must be finite and unit-length before it is
// stored or searched (a zero or NaN vector would match nothing, or everything, silently).
export const MAX_EMBEDDING_DIMENSION = 4096;
export const UNIT_NORM_TOLERANCE = 1e-3;

export const embeddingSchema = z
  // In zod 4 a number is finite by definition (Infinity and NaN fail its type check), so the message
  // goes on the type: with `.finite(message)` it was never shown, only zod's "expected number".
  .array(z.number('Embedding values must be finite numbers.'), 'The embedding must be a list of numbers.')
  .min(2, 'The embedding is empty.')
  .max(MAX_EMBEDDING_DIMENSION, 'The embedding is too long.')
  .refine(
    (values) => Math.abs(Math.hypot(...values) - 1) <= UNIT_NORM_TOLERANCE,
    'The embedding must be L2-normalised (length 1).',
  );
