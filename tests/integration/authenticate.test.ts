import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticateWithPassword, MAX_FAILED_SIGN_INS } from '@/lib/server/auth/authenticate';
import { hashPassword } from '@/lib/server/auth/passwords';
import type { Database } from '@/lib/server/db/database';
import { openMemoryDatabase } from '../support/test-database';

let database: Database;

beforeAll(async () => {
  database = await openMemoryDatabase();
  const passwordHash = await hashPassword('right password 123');
  await database.prisma.user.createMany({
    data: [
      { email: 'alice@force.test', displayName: 'Alice', role: 'investigator', passwordHash },
      { email: 'bob@force.test', displayName: 'Bob', role: 'supervisor', passwordHash, disabled: true },
      { email: 'carol@force.test', displayName: 'Carol', role: 'admin', passwordHash },
    ],
  });
});

afterAll(async () => {
  await database?.close();
});

describe('authenticateWithPassword', () => {
  it('signs in with the right password and audits it', async () => {
    const result = await authenticateWithPassword(database.prisma, { email: ' Alice@Force.test ', password: 'right password 123' });
    expect(result).toMatchObject({ ok: true, user: { email: 'alice@force.test', role: 'investigator' } });
    const event = await database.prisma.auditEvent.findFirstOrThrow({ orderBy: { sequence: 'desc' } });
    expect(event).toMatchObject({ action: 'auth.sign_in', outcome: 'success', targetId: 'alice@force.test' });
  });

  it('gives the same answer for a wrong password and an unknown account', async () => {
    const wrong = await authenticateWithPassword(database.prisma, { email: 'alice@force.test', password: 'nope' });
    const unknown = await authenticateWithPassword(database.prisma, { email: 'nobody@force.test', password: 'nope' });
    expect(wrong).toEqual({ ok: false, reason: 'bad_credentials' });
    expect(unknown).toEqual(wrong);
  });

  it('refuses a disabled account only once the password is right', async () => {
    expect(await authenticateWithPassword(database.prisma, { email: 'bob@force.test', password: 'nope' })).toEqual({ ok: false, reason: 'bad_credentials' });
    expect(await authenticateWithPassword(database.prisma, { email: 'bob@force.test', password: 'right password 123' })).toEqual({ ok: false, reason: 'disabled' });
  });

  it('treats malformed input as bad credentials', async () => {
    expect(await authenticateWithPassword(database.prisma, { email: ['x'], password: null })).toEqual({ ok: false, reason: 'bad_credentials' });
    expect(await authenticateWithPassword(database.prisma, undefined)).toEqual({ ok: false, reason: 'bad_credentials' });
  });

  it('throttles an account after repeated failures, even for the right password', async () => {
    for (let attempt = 0; attempt < MAX_FAILED_SIGN_INS; attempt += 1) {
      expect(await authenticateWithPassword(database.prisma, { email: 'carol@force.test', password: `guess ${attempt}` })).toMatchObject({ ok: false });
    }
    expect(await authenticateWithPassword(database.prisma, { email: 'carol@force.test', password: 'right password 123' })).toEqual({ ok: false, reason: 'throttled' });
    // Other accounts are unaffected.
    expect(await authenticateWithPassword(database.prisma, { email: 'alice@force.test', password: 'right password 123' })).toMatchObject({ ok: true });
  });

  it('throttles unknown accounts the same way, so throttling reveals nothing', async () => {
    for (let attempt = 0; attempt < MAX_FAILED_SIGN_INS; attempt += 1) {
      await authenticateWithPassword(database.prisma, { email: 'ghost@force.test', password: `guess ${attempt}` });
    }
    expect(await authenticateWithPassword(database.prisma, { email: 'ghost@force.test', password: 'x' })).toEqual({ ok: false, reason: 'throttled' });
  });
});
