import 'server-only';
import { randomInt } from 'node:crypto';

// No 0/o, 1/l/i: read aloud or copied by hand without mistakes.
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const GROUPS = 4;
const GROUP_LENGTH = 5;

/**
 * A one-time password for a new or reset account: 20 characters from 31 (about 99 bits), in groups
 * of five. Shown once to the administrator; it opens only the page where its holder replaces it.
 */
export function generateTemporaryPassword(): string {
  return Array.from({ length: GROUPS }, () => Array.from({ length: GROUP_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join('')).join('-');
}
