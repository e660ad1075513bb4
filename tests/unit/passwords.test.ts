import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '@/lib/server/auth/passwords';

describe('password hashing', () => {
  it('uses argon2id and verifies the right password only', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(hash.startsWith('$argon2id$')).toBe(true);
    expect(await verifyPassword(hash, 'correct horse battery staple')).toBe(true);
    expect(await verifyPassword(hash, 'wrong')).toBe(false);
  });

  it('says no for a missing account even with the decoy password', async () => {
    expect(await verifyPassword(null, 'decoy password that matches no account')).toBe(false);
  });

  it('says no for a malformed stored hash instead of throwing', async () => {
    expect(await verifyPassword('not-a-hash', 'anything')).toBe(false);
  });
});
