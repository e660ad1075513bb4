import { z } from 'zod';

/** `90d`, `12h`, `30m`, or `never`. */
export const EXPIRY_PATTERN = /^(\d{1,5})([dhm])$|^never$/;
export const DEFAULT_CLIENT_EXPIRY = '90d';
export const DEFAULT_CLIENT_RATE = '10/s';
export const DEFAULT_CLIENT_LEGAL_BASIS = 'Operator-initiated facial recognition under the force policy for this client';

export const createApiClientSchema = z.object({
  name: z.string().trim().min(3, 'The name must be at least 3 characters.').max(100).regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, 'Use letters, digits, spaces and . _ - only.'),
  team: z.string().trim().min(1, 'Name the team the client works for.').max(200),
  watchlists: z.array(z.string().trim().min(1).max(200)).min(1, 'Allow at least one watch-list.').max(50),
  rate: z.string().trim().regex(/^\d{1,6}\s*\/\s*(s|sec|second|m|min|minute|h|hour)$/i, 'Write the rate as 10/s, 600/min or 1000/h.').default(DEFAULT_CLIENT_RATE),
  expires: z.string().trim().regex(EXPIRY_PATTERN, 'Write the lifetime as 90d, 12h, 30m or never.').default(DEFAULT_CLIENT_EXPIRY),
  legalBasis: z.string().trim().min(5).max(500).default(DEFAULT_CLIENT_LEGAL_BASIS),
});
export type CreateApiClientInput = z.input<typeof createApiClientSchema>;

export const apiClientIdSchema = z.object({ clientId: z.string().uuid('Unknown API client.') });

/** The moment a lifetime written as `90d` ends, from `now`; null for `never`. */
export function expiryFrom(text: string, now: Date): Date | null {
  const match = /^(\d{1,5})([dhm])$/.exec(text);
  if (!match) return null;
  const unitMs = { d: 86_400_000, h: 3_600_000, m: 60_000 }[match[2] as 'd' | 'h' | 'm'];
  return new Date(now.getTime() + Number(match[1]) * unitMs);
}
