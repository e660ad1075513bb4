import { z } from 'zod';

/** The longest a session may ever last: the cookie's own lifetime, whatever the policy says. */
export const MAX_SESSION_MINUTES = 24 * 60;
export const MIN_SESSION_MINUTES = 15;
export const MIN_IDLE_MINUTES = 5;

const minutes = (min: number) =>
  z.coerce.number().int('Whole minutes only.').min(min, `At least ${min} minutes.`).max(MAX_SESSION_MINUTES, `At most ${MAX_SESSION_MINUTES} minutes.`);

/**
 * How long a sign-in lasts. `absoluteMinutes` counts from sign-in and is never extended by activity;
 * `idleMinutes` ends a session nobody has used for that long. Both are checked on the server on every
 * request, so tightening them applies to sessions already open.
 */
export const sessionPolicySchema = z
  .object({
    absoluteMinutes: minutes(MIN_SESSION_MINUTES).default(8 * 60),
    idleMinutes: minutes(MIN_IDLE_MINUTES).default(30),
  })
  .superRefine((policy, context) => {
    if (policy.idleMinutes > policy.absoluteMinutes) {
      context.addIssue({ code: 'custom', path: ['idleMinutes'], message: 'The idle timeout cannot be longer than the session itself.' });
    }
  });
export type SessionPolicy = z.infer<typeof sessionPolicySchema>;

export const DEFAULT_SESSION_POLICY: SessionPolicy = sessionPolicySchema.parse({});
