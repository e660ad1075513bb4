import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticateWithPassword } from '@/lib/server/auth/authenticate';
import { hashPassword } from '@/lib/server/auth/passwords';
import { THROTTLE_LIMITS, THROTTLE_WINDOW_MS } from '@/lib/server/auth/sign-in-throttle';
import { openDatabase, type Database } from '@/lib/server/db/database';
import { createThrowawayPostgres, openMemoryDatabase, type ThrowawayPostgres } from '../support/test-database';

const RIGHT = 'right password 123';

// The same suite on the embedded engine and on a real PostgreSQL server, where concurrent attempts
// really do run at once on separate connections.
const engines: { name: string; open: () => Promise<{ database: Database; cleanup: () => Promise<void> } | null> }[] = [
  {
    name: 'PGlite',
    open: async () => {
      const database = await openMemoryDatabase();
      return { database, cleanup: () => database.close() };
    },
  },
  {
    name: 'PostgreSQL',
    open: async () => {
      const server: ThrowawayPostgres | null = await createThrowawayPostgres();
      if (!server) return null;
      const database = await openDatabase({ databaseUrl: server.url });
      return {
        database,
        cleanup: async () => {
          await database.close();
          await server.drop();
        },
      };
    },
  },
];

for (const engine of engines) {
  describe(`authenticateWithPassword on ${engine.name}`, () => {
    let opened: Awaited<ReturnType<(typeof engines)[number]['open']>>;
    let database: Database;
    let addressCounter = 0;
    // Each test its own client address, so one test's attempts never throttle another's.
    const freshAddress = () => `10.0.${Math.floor(addressCounter / 250)}.${(addressCounter++ % 250) + 1}`;
    const attempt = (email: string, password: string, address: string, now?: Date) =>
      authenticateWithPassword(database.prisma, { email, password }, { address, ...(now ? { now } : {}) });
    const countEvents = (action: string, email: string) => database.prisma.auditEvent.count({ where: { action, targetId: email } });

    beforeAll(async () => {
      opened = await engine.open();
      if (!opened) return;
      database = opened.database;
      const passwordHash = await hashPassword(RIGHT);
      await database.prisma.user.createMany({
        data: ['alice', 'dave', 'erin', 'frank', 'gina', 'hal', 'ivy'].map((name) => ({ email: `${name}@force.test`, displayName: name, role: 'investigator' as const, passwordHash })),
      });
      await database.prisma.user.createMany({
        data: [
          { email: 'bob@force.test', displayName: 'Bob', role: 'supervisor', passwordHash, disabled: true },
          { email: 'carol@force.test', displayName: 'Carol', role: 'admin', passwordHash },
        ],
      });
    });

    afterAll(async () => {
      await opened?.cleanup();
    });

    it('signs in with the right password, opens a session row and audits it', async (context) => {
      if (!opened) return context.skip();
      const result = await attempt(' Alice@Force.test ', RIGHT, freshAddress());
      expect(result).toMatchObject({ ok: true, user: { email: 'alice@force.test', role: 'investigator', mustChangePassword: false } });
      if (!result.ok) return;
      const session = await database.prisma.userSession.findUniqueOrThrow({ where: { id: result.user.sessionId } });
      expect(session).toMatchObject({ userId: result.user.id, endedAt: null });
      // Eight hours by default, fixed at sign-in.
      expect(session.expiresAt.getTime() - session.createdAt.getTime()).toBe(8 * 60 * 60 * 1000);
      const event = await database.prisma.auditEvent.findFirstOrThrow({ orderBy: { sequence: 'desc' } });
      expect(event).toMatchObject({ action: 'auth.sign_in', outcome: 'success', targetId: 'alice@force.test', payload: { sessionId: session.id } });
    });

    it('gives the same answer for a wrong password and an unknown account', async (context) => {
      if (!opened) return context.skip();
      const address = freshAddress();
      const wrong = await attempt('alice@force.test', 'nope', address);
      const unknown = await attempt('nobody@force.test', 'nope', address);
      expect(wrong).toEqual({ ok: false, reason: 'bad_credentials' });
      expect(unknown).toEqual(wrong);
    });

    it('refuses a disabled account only once the password is right', async (context) => {
      if (!opened) return context.skip();
      const address = freshAddress();
      expect(await attempt('bob@force.test', 'nope', address)).toEqual({ ok: false, reason: 'bad_credentials' });
      expect(await attempt('bob@force.test', RIGHT, address)).toEqual({ ok: false, reason: 'disabled' });
    });

    it('treats malformed input as bad credentials', async (context) => {
      if (!opened) return context.skip();
      const options = { address: freshAddress() };
      expect(await authenticateWithPassword(database.prisma, { email: ['x'], password: null }, options)).toEqual({ ok: false, reason: 'bad_credentials' });
      expect(await authenticateWithPassword(database.prisma, undefined, options)).toEqual({ ok: false, reason: 'bad_credentials' });
    });

    it(`evaluates at most ${THROTTLE_LIMITS.account_address} of 30 concurrent wrong passwords for one account from one client`, async (context) => {
      if (!opened) return context.skip();
      const address = freshAddress();
      const results = await Promise.all(Array.from({ length: 30 }, (_, index) => attempt('dave@force.test', `guess ${index}`, address)));
      const evaluated = await countEvents('auth.sign_in', 'dave@force.test');
      const throttled = await countEvents('auth.sign_in_throttled', 'dave@force.test');
      console.info(`[throttle ${engine.name}] 30 concurrent wrong passwords, one client: ${evaluated} evaluated, ${throttled} throttled`);
      expect(evaluated).toBe(THROTTLE_LIMITS.account_address);
      expect(throttled).toBe(30 - THROTTLE_LIMITS.account_address);
      expect(results.filter((result) => !result.ok && result.reason === 'throttled')).toHaveLength(30 - THROTTLE_LIMITS.account_address);
      // Locked, even for the right password; the lock is temporary.
      expect(await attempt('dave@force.test', RIGHT, address)).toEqual({ ok: false, reason: 'throttled' });
      expect(await attempt('dave@force.test', RIGHT, address, new Date(Date.now() + THROTTLE_WINDOW_MS + 1000))).toMatchObject({ ok: true });
    });

    it(`evaluates at most ${THROTTLE_LIMITS.account} concurrent wrong passwords for one account from many clients`, async (context) => {
      if (!opened) return context.skip();
      const addresses = Array.from({ length: 45 }, freshAddress);
      await Promise.all(addresses.map((address, index) => attempt('erin@force.test', `guess ${index}`, address)));
      const evaluated = await countEvents('auth.sign_in', 'erin@force.test');
      console.info(`[throttle ${engine.name}] 45 concurrent wrong passwords, 45 clients: ${evaluated} evaluated`);
      expect(evaluated).toBe(THROTTLE_LIMITS.account);
    });

    it(`evaluates at most ${THROTTLE_LIMITS.address} attempts from one client across many accounts`, async (context) => {
      if (!opened) return context.skip();
      const address = freshAddress();
      const emails = Array.from({ length: 20 }, (_, index) => `spray${index}@force.test`);
      await Promise.all(emails.map((email) => attempt(email, 'Password1234', address)));
      const evaluated = await database.prisma.auditEvent.count({ where: { action: 'auth.sign_in', targetId: { in: emails } } });
      console.info(`[throttle ${engine.name}] 20 e-mails from one client: ${evaluated} evaluated`);
      expect(evaluated).toBe(THROTTLE_LIMITS.address);
      // That client is refused for anyone now, a real account with its right password included...
      expect(await attempt('frank@force.test', RIGHT, address)).toEqual({ ok: false, reason: 'throttled' });
      // ...and nobody else is.
      expect(await attempt('frank@force.test', RIGHT, freshAddress())).toMatchObject({ ok: true });
    });

    it('does not let one client lock an administrator out', async (context) => {
      if (!opened) return context.skip();
      const attacker = freshAddress();
      await Promise.all(Array.from({ length: 30 }, (_, index) => attempt('carol@force.test', `guess ${index}`, attacker)));
      expect(await attempt('carol@force.test', RIGHT, attacker)).toEqual({ ok: false, reason: 'throttled' });
      expect(await attempt('carol@force.test', RIGHT, freshAddress())).toMatchObject({ ok: true, user: { role: 'admin' } });
    });

    it('throttles unknown accounts the same way, so throttling reveals nothing', async (context) => {
      if (!opened) return context.skip();
      const address = freshAddress();
      for (let index = 0; index < THROTTLE_LIMITS.account_address; index += 1) await attempt('ghost@force.test', `guess ${index}`, address);
      expect(await attempt('ghost@force.test', 'x', address)).toEqual({ ok: false, reason: 'throttled' });
    });

    it('counts failures only: a right password gives its place back', async (context) => {
      if (!opened) return context.skip();
      const address = freshAddress();
      for (let index = 0; index < THROTTLE_LIMITS.account_address - 1; index += 1) await attempt('gina@force.test', `typo ${index}`, address);
      for (let index = 0; index < 5; index += 1) expect(await attempt('gina@force.test', RIGHT, address)).toMatchObject({ ok: true });
    });

    it('tells the account holder, at their next sign-in, how many sign-ins were refused since their last', async (context) => {
      if (!opened) return context.skip();
      const address = freshAddress();
      const first = await attempt('hal@force.test', RIGHT, address);
      for (let index = 0; index < 3; index += 1) await attempt('hal@force.test', `stranger ${index}`, freshAddress());
      const second = await attempt('hal@force.test', RIGHT, address);
      const third = await attempt('hal@force.test', RIGHT, address);
      if (!first.ok || !second.ok || !third.ok) throw new Error('sign-in failed');
      const sessions = await database.prisma.userSession.findMany({
        where: { id: { in: [first.user.sessionId, second.user.sessionId, third.user.sessionId] } },
        orderBy: { createdAt: 'asc' },
        select: { failedSignInsBefore: true, lastFailedSignInAt: true },
      });
      expect(sessions.map((session) => session.failedSignInsBefore)).toEqual([0, 3, 0]);
      expect(sessions[1]!.lastFailedSignInAt).not.toBeNull();
    });
  });
}
