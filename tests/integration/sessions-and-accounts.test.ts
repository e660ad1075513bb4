import { decode } from 'next-auth/jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActionDefiner } from '@/lib/server/actions/create-action-definer';
import { changeOwnPasswordSpec, dismissSignInNoticeSpec } from '@/lib/server/actions/specs/account';
import { createUserSpec, resetUserPasswordSpec, setUserDisabledSpec, setUserRoleSpec } from '@/lib/server/actions/specs/users';
import { authConfig, readSessionCookie, SESSION_COOKIE_MAX_AGE_SECONDS } from '@/lib/server/auth/auth-config';
import { authenticateWithPassword, type AuthenticatedUser } from '@/lib/server/auth/authenticate';
import type { Actor } from '@/lib/server/auth/current-actor';
import { hashPassword } from '@/lib/server/auth/passwords';
import { endSessionsOnSignOut, resolveSession, type SessionState } from '@/lib/server/auth/sessions';
import { openDatabase, type Database } from '@/lib/server/db/database';
import { writeSessionPolicy } from '@/lib/server/settings/session-policy';
import { DEFAULT_SESSION_POLICY } from '@/lib/shared/schemas/session-policy';
import { createThrowawayPostgres, openMemoryDatabase, type ThrowawayPostgres } from '../support/test-database';

process.env.AUTH_SECRET ??= 'integration-test-secret-that-is-long-enough-0123456789';
const COOKIE = 'authjs.session-token';
const RIGHT = 'right password 123';
const MINUTE = 60_000;

let database: Database;
let addressCounter = 0;
const freshAddress = () => `192.168.${Math.floor(addressCounter / 250)}.${(addressCounter++ % 250) + 1}`;

async function signIn(email: string, password: string, now?: Date): Promise<AuthenticatedUser> {
  const result = await authenticateWithPassword(database.prisma, { email, password }, { address: freshAddress(), ...(now ? { now } : {}) });
  if (!result.ok) throw new Error(`sign-in refused: ${result.reason}`);
  return result.user;
}

/** The cookie value Auth.js would set for this sign-in: the same callbacks and encoder. */
async function sessionCookieFor(user: AuthenticatedUser): Promise<string> {
  const jwt = authConfig.callbacks.jwt as (params: unknown) => Promise<Record<string, unknown> | null> | Record<string, unknown> | null;
  const token = await jwt({ token: {}, user, trigger: 'signIn' });
  if (!token) throw new Error('no token');
  return authConfig.jwt.encode({ token, secret: process.env.AUTH_SECRET!, salt: COOKIE, maxAge: SESSION_COOKIE_MAX_AGE_SECONDS });
}

/** What the server makes of a request carrying this cookie (lib/server/auth/current-actor.ts, without Next.js). */
async function stateOf(cookie: string, now?: Date): Promise<SessionState> {
  const claims = await readSessionCookie(new Headers({ 'x-forwarded-proto': 'http' }), { get: (name) => (name === COOKIE ? { value: cookie } : undefined) });
  if (!claims) return { status: 'none' };
  return resolveSession(database.prisma, { userId: claims.sub, sessionId: claims.sid }, now);
}

const activeActorOf = async (cookie: string) => {
  const state = await stateOf(cookie);
  return state.status === 'active' ? state.actor : null;
};
const holderOf = async (cookie: string) => {
  const state = await stateOf(cookie);
  return state.status === 'none' ? null : state.actor;
};
/** The action wrapper as the server builds it, with the actor read from this cookie. */
const asCookie = (cookie: string) => createActionDefiner({ getActor: () => activeActorOf(cookie), getPrisma: async () => database.prisma, logError: () => {} });
const asHolderOf = (cookie: string) => createActionDefiner({ getActor: () => holderOf(cookie), getPrisma: async () => database.prisma, logError: () => {} });
const changePassword = changeOwnPasswordSpec({ getPrisma: async () => database.prisma, readAddress: async () => '192.168.250.250' });

async function makeUser(email: string, role: 'investigator' | 'supervisor' | 'admin', teamName: string | null = 'Team A'): Promise<Actor> {
  const team = teamName ? await database.prisma.team.upsert({ where: { name: teamName }, create: { name: teamName }, update: {}, select: { id: true } }) : null;
  return database.prisma.user.create({
    data: { email, displayName: email, role, teamId: team?.id ?? null, passwordHash: await hashPassword(RIGHT) },
    select: { id: true, email: true, displayName: true, role: true, teamId: true },
  });
}

const lastEvent = (action: string) => database.prisma.auditEvent.findFirstOrThrow({ where: { action }, orderBy: { sequence: 'desc' } });

beforeAll(async () => {
  database = await openMemoryDatabase();
});

afterAll(async () => {
  await database?.close();
});

describe('server-side sessions', () => {
  it('refuses a cookie copied before sign-out, for pages and for actions, while a new sign-in is unaffected', async () => {
    const user = await makeUser('copy@force.test', 'investigator');
    const cookie = await sessionCookieFor(await signIn(user.email, RIGHT));
    expect(await stateOf(cookie)).toMatchObject({ status: 'active', actor: { id: user.id } });
    const copied = cookie;

    const claims = (await readSessionCookie(new Headers({ 'x-forwarded-proto': 'http' }), { get: () => ({ value: cookie }) }))!;
    expect(await endSessionsOnSignOut(database.prisma, { userId: claims.sub, sessionId: claims.sid })).toBe(1);
    expect(await lastEvent('auth.sign_out')).toMatchObject({ actorId: user.id, outcome: 'success', payload: { sessionsEnded: 1 } });

    // The copy still decrypts, and is worth nothing: no page (no actor) and no action.
    expect(await readSessionCookie(new Headers(), { get: () => undefined })).toBeNull();
    expect(await stateOf(copied)).toEqual({ status: 'none' });
    const replay = await asCookie(copied)(dismissSignInNoticeSpec)({});
    expect(replay).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect(await lastEvent('account.dismiss_sign_in_notice')).toMatchObject({ outcome: 'refused', actorId: null });

    // Signing out again with the stale copy does not end the sessions opened since.
    const fresh = await sessionCookieFor(await signIn(user.email, RIGHT));
    expect(await endSessionsOnSignOut(database.prisma, { userId: claims.sub, sessionId: claims.sid })).toBeNull();
    expect(await stateOf(fresh)).toMatchObject({ status: 'active' });
  });

  it('ends every session of the user at sign-out, on every device', async () => {
    const user = await makeUser('devices@force.test', 'supervisor');
    const laptop = await sessionCookieFor(await signIn(user.email, RIGHT));
    const desktop = await sessionCookieFor(await signIn(user.email, RIGHT));
    const claims = (await readSessionCookie(new Headers({ 'x-forwarded-proto': 'http' }), { get: () => ({ value: laptop }) }))!;
    expect(await endSessionsOnSignOut(database.prisma, { userId: claims.sub, sessionId: claims.sid })).toBe(2);
    expect(await stateOf(desktop)).toEqual({ status: 'none' });
  });

  it('never slides past the absolute lifetime, however active the session', async () => {
    const user = await makeUser('busy@force.test', 'investigator');
    const start = new Date();
    const cookie = await sessionCookieFor(await signIn(user.email, RIGHT, start));
    const at = (minutes: number) => new Date(start.getTime() + minutes * MINUTE);
    // Used every 20 minutes for the whole shift: open until the eighth hour, closed at it.
    for (let minutes = 20; minutes < 8 * 60; minutes += 20) expect((await stateOf(cookie, at(minutes))).status, `${minutes} min`).toBe('active');
    expect(await stateOf(cookie, at(8 * 60))).toEqual({ status: 'none' });
    const row = await database.prisma.userSession.findFirstOrThrow({ where: { userId: user.id } });
    expect(row.endReason).toBe('expired');
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBe(8 * 60 * MINUTE);
  });

  it('puts the absolute expiry in the token, and no re-encoding extends it', async () => {
    const user = await makeUser('token@force.test', 'investigator');
    const signedIn = await signIn(user.email, RIGHT);
    const cookie = await sessionCookieFor(signedIn);
    const payload = (await decode({ token: cookie, secret: process.env.AUTH_SECRET!, salt: COOKIE }))!;
    const sxp = Math.floor(signedIn.sessionExpiresAt.getTime() / 1000);
    expect(payload).toMatchObject({ sub: user.id, sid: signedIn.sessionId, sxp });
    // No role, no e-mail: the database says what the session may do.
    expect(payload).not.toHaveProperty('role');
    expect(payload.exp).toBeLessThanOrEqual(sxp);
    // Re-encoded later with the cookie's full maximum age (what Auth.js's session endpoint does), the
    // expiry stays where it was.
    const again = await authConfig.jwt.encode({ token: payload, secret: process.env.AUTH_SECRET!, salt: COOKIE, maxAge: SESSION_COOKIE_MAX_AGE_SECONDS });
    expect((await decode({ token: again, secret: process.env.AUTH_SECRET!, salt: COOKIE }))!.exp).toBeLessThanOrEqual(sxp);
    // And a token past its session's expiry is dropped rather than renewed.
    const jwt = authConfig.callbacks.jwt as (params: unknown) => unknown;
    expect(await jwt({ token: { ...payload, sxp: Math.floor(Date.now() / 1000) - 1 } })).toBeNull();
  });

  it('ends an idle session, and applies a tightened policy to sessions already open', async () => {
    const user = await makeUser('idle@force.test', 'investigator');
    const start = new Date();
    const idle = await sessionCookieFor(await signIn(user.email, RIGHT, start));
    expect((await stateOf(idle, new Date(start.getTime() + 29 * MINUTE))).status).toBe('active');
    expect(await stateOf(idle, new Date(start.getTime() + 29 * MINUTE + 30 * MINUTE))).toEqual({ status: 'none' });
    expect(await database.prisma.userSession.findFirstOrThrow({ where: { userId: user.id } })).toMatchObject({ endReason: 'idle' });

    const open = await sessionCookieFor(await signIn(user.email, RIGHT, start));
    await database.prisma.$transaction((tx) => writeSessionPolicy(tx, { absoluteMinutes: 60, idleMinutes: 60 }));
    try {
      expect((await stateOf(open, new Date(start.getTime() + 50 * MINUTE))).status).toBe('active');
      expect(await stateOf(open, new Date(start.getTime() + 61 * MINUTE))).toEqual({ status: 'none' });
    } finally {
      await database.prisma.$transaction((tx) => writeSessionPolicy(tx, DEFAULT_SESSION_POLICY));
    }
  });
});

describe('account administration', () => {
  let admin: Actor;
  let adminCookie: string;

  beforeAll(async () => {
    admin = await makeUser('root@force.test', 'admin', null);
    adminCookie = await sessionCookieFor(await signIn(admin.email, RIGHT));
  });

  it('creates an account with a temporary password that opens nothing but the page that replaces it', async () => {
    const created = await asCookie(adminCookie)(createUserSpec)({ email: 'New.Starter@force.test', displayName: 'New Starter', role: 'investigator', teamName: 'Team A' });
    if (!created.ok) throw new Error(created.error.message);
    const { temporaryPassword, userId } = created.data;
    expect(temporaryPassword).toMatch(/^[a-z2-9]{5}(-[a-z2-9]{5}){3}$/);
    const event = await lastEvent('user.create');
    expect(event).toMatchObject({ actorId: admin.id, targetId: userId, payload: { email: 'new.starter@force.test', mustChangePassword: true } });
    expect(JSON.stringify(event.payload)).not.toContain(temporaryPassword);

    const pending = await sessionCookieFor(await signIn('new.starter@force.test', temporaryPassword));
    expect(await stateOf(pending)).toMatchObject({ status: 'password_change_required' });
    // Every ordinary action is refused to it...
    expect(await asCookie(pending)(dismissSignInNoticeSpec)({})).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });

    // ...except replacing the password, which knows the temporary one, and ends every session.
    const wrong = await asHolderOf(pending)(changePassword)({ currentPassword: 'not it', newPassword: 'my own secret phrase', confirmation: 'my own secret phrase' });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'VALIDATION', fieldErrors: { currentPassword: [expect.any(String)] } } });
    const mismatch = await asHolderOf(pending)(changePassword)({ currentPassword: temporaryPassword, newPassword: 'my own secret phrase', confirmation: 'my own secret phrasE' });
    expect(mismatch).toMatchObject({ ok: false, error: { code: 'VALIDATION', fieldErrors: { confirmation: [expect.any(String)] } } });
    const changed = await asHolderOf(pending)(changePassword)({ currentPassword: temporaryPassword, newPassword: 'my own secret phrase', confirmation: 'my own secret phrase' });
    expect(changed).toMatchObject({ ok: true, data: { sessionsEnded: 1 } });
    expect(await stateOf(pending)).toEqual({ status: 'none' });
    expect(await lastEvent('account.change_password')).toMatchObject({
      actorId: userId,
      payload: { previous: { mustChangePassword: true, passwordChangedAt: null }, next: { mustChangePassword: false } },
    });

    await expect(signIn('new.starter@force.test', temporaryPassword)).rejects.toThrow('bad_credentials');
    const own = await sessionCookieFor(await signIn('new.starter@force.test', 'my own secret phrase'));
    expect(await stateOf(own)).toMatchObject({ status: 'active', actor: { role: 'investigator' } });
  });

  it('throttles guesses at the current password from a signed-in session', async () => {
    const user = await makeUser('guessed@force.test', 'investigator');
    const cookie = await sessionCookieFor(await signIn(user.email, RIGHT));
    const guess = (currentPassword: string) => asHolderOf(cookie)(changePassword)({ currentPassword, newPassword: 'a brand new phrase', confirmation: 'a brand new phrase' });
    for (let index = 0; index < 5; index += 1) expect(await guess(`guess ${index}`)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(await guess(RIGHT)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('resets a password: a new temporary one, shown once; the old one and every session stop working', async () => {
    const user = await makeUser('forgetful@force.test', 'supervisor');
    const cookie = await sessionCookieFor(await signIn(user.email, RIGHT));
    const reset = await asCookie(adminCookie)(resetUserPasswordSpec)({ userId: user.id });
    if (!reset.ok) throw new Error(reset.error.message);
    expect(await stateOf(cookie)).toEqual({ status: 'none' });
    await expect(signIn(user.email, RIGHT)).rejects.toThrow('bad_credentials');
    const pending = await sessionCookieFor(await signIn(user.email, reset.data.temporaryPassword));
    expect(await stateOf(pending)).toMatchObject({ status: 'password_change_required' });
    const fresh = 'a fresh phrase of mine';
    expect(await asHolderOf(pending)(changePassword)({ currentPassword: reset.data.temporaryPassword, newPassword: fresh, confirmation: fresh })).toMatchObject({ ok: true });
    // The refused sign-in with the old password is reported at the next ordinary sign-in, once.
    const back = await sessionCookieFor(await signIn(user.email, fresh));
    expect(await stateOf(back)).toMatchObject({ status: 'active', notice: { failedSignIns: 1, lastFailedAt: expect.any(Date) } });
    expect(await asCookie(back)(dismissSignInNoticeSpec)({})).toMatchObject({ ok: true, data: { dismissed: 1 } });
    expect(await stateOf(back)).toMatchObject({ status: 'active', notice: null });
    expect(await stateOf(await sessionCookieFor(await signIn(user.email, fresh)))).toMatchObject({ notice: null });
    const event = await database.prisma.auditEvent.findFirstOrThrow({ where: { action: 'user.reset_password', targetId: user.id } });
    expect(event.payload).toMatchObject({ previous: { mustChangePassword: false }, next: { mustChangePassword: true }, sessionsEnded: 1 });
    expect(JSON.stringify(event.payload)).not.toContain(reset.data.temporaryPassword);
    // Their own password an administrator changes knowing it, not by reset.
    expect(await asCookie(adminCookie)(resetUserPasswordSpec)({ userId: admin.id })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('changes a role: every session ends, the previous role and team are audited; nobody changes their own', async () => {
    const user = await makeUser('promoted@force.test', 'investigator', 'Team B');
    const cookie = await sessionCookieFor(await signIn(user.email, RIGHT));
    expect(await asCookie(adminCookie)(setUserRoleSpec)({ userId: user.id, role: 'supervisor' })).toMatchObject({ ok: true });
    expect(await stateOf(cookie)).toEqual({ status: 'none' });
    expect((await lastEvent('user.set_role')).payload).toMatchObject({
      previous: { role: 'investigator', team: 'Team B' },
      next: { role: 'supervisor', team: 'Team B' },
      sessionsEnded: 1,
    });

    expect(await asCookie(adminCookie)(setUserRoleSpec)({ userId: admin.id, role: 'investigator', teamName: 'Team A' })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN', message: 'You cannot change your own role.' },
    });
    // An administrator has no team: becoming an investigator needs one.
    const other = await makeUser('second-admin@force.test', 'admin', null);
    expect(await asCookie(adminCookie)(setUserRoleSpec)({ userId: other.id, role: 'investigator' })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION', fieldErrors: { teamName: [expect.any(String)] } },
    });
    expect(await asCookie(adminCookie)(setUserRoleSpec)({ userId: other.id, role: 'investigator', teamName: 'Team C' })).toMatchObject({ ok: true });
    expect((await lastEvent('user.set_role')).payload).toMatchObject({ previous: { role: 'admin', team: null }, next: { role: 'investigator', team: 'Team C' } });
  });

  it('disables an account: every session ends at once; enabling it does not bring them back', async () => {
    const user = await makeUser('leaver@force.test', 'investigator');
    const cookie = await sessionCookieFor(await signIn(user.email, RIGHT));
    expect(await asCookie(adminCookie)(setUserDisabledSpec)({ userId: user.id, disabled: true })).toMatchObject({ ok: true });
    expect((await lastEvent('user.set_disabled')).payload).toMatchObject({ previous: false, next: true, sessionsEnded: 1 });
    expect(await asCookie(adminCookie)(setUserDisabledSpec)({ userId: user.id, disabled: false })).toMatchObject({ ok: true });
    expect(await stateOf(cookie)).toEqual({ status: 'none' });
    expect(await asCookie(adminCookie)(setUserDisabledSpec)({ userId: admin.id, disabled: true })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });
});

// On PostgreSQL too, where two administrators' changes really run at once.
const engines: { name: string; open: () => Promise<{ database: Database; cleanup: () => Promise<void> } | null> }[] = [
  { name: 'PGlite', open: async () => ({ database, cleanup: async () => {} }) },
  {
    name: 'PostgreSQL',
    open: async () => {
      const server: ThrowawayPostgres | null = await createThrowawayPostgres();
      if (!server) return null;
      const opened = await openDatabase({ databaseUrl: server.url });
      return { database: opened, cleanup: async () => (await opened.close(), await server.drop()) };
    },
  },
];

for (const engine of engines) {
  describe(`the last administrator on ${engine.name}`, () => {
    let opened: Awaited<ReturnType<(typeof engines)[number]['open']>>;
    beforeAll(async () => {
      opened = await engine.open();
    });
    afterAll(async () => {
      await opened?.cleanup();
    });

    const admins = async (db: Database, tag: string) => {
      const make = (name: string) =>
        db.prisma.user.create({ data: { email: `${name}-${tag}@force.test`, displayName: name, role: 'admin', passwordHash: 'x' }, select: { id: true, email: true, displayName: true, role: true, teamId: true } });
      return [await make('ann'), await make('ben')] as const;
    };
    const define = (db: Database, actor: Actor) => createActionDefiner({ getActor: async () => actor, getPrisma: async () => db.prisma, logError: () => {} });

    it('cannot be disabled or given another role, even when two administrators act on each other at once', async (context) => {
      if (!opened) return context.skip();
      const db = opened.database;
      await db.prisma.user.updateMany({ where: { role: 'admin' }, data: { disabled: true } });
      const [ann, ben] = await admins(db, `${engine.name}-race`);
      const results = await Promise.all([
        define(db, ann)(setUserDisabledSpec)({ userId: ben.id, disabled: true }),
        define(db, ben)(setUserDisabledSpec)({ userId: ann.id, disabled: true }),
      ]);
      expect(results.filter((result) => result.ok)).toHaveLength(1);
      expect(results.find((result) => !result.ok)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', message: expect.stringContaining('last active administrator') } });
      expect(await db.prisma.user.count({ where: { role: 'admin', disabled: false } })).toBe(1);

      const [survivor, disabled] = results[0]!.ok ? [ann, ben] : [ben, ann];
      // The one left can be neither demoted nor disabled, by the other (whose session would be gone) or anyone.
      expect(await define(db, disabled)(setUserRoleSpec)({ userId: survivor.id, role: 'supervisor', teamName: 'Team A' })).toMatchObject({
        ok: false,
        error: { code: 'FORBIDDEN', message: expect.stringContaining('last active administrator') },
      });
      expect(await define(db, disabled)(setUserDisabledSpec)({ userId: survivor.id, disabled: true })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      expect(await db.prisma.user.findUniqueOrThrow({ where: { id: survivor.id } })).toMatchObject({ role: 'admin', disabled: false });
      await db.prisma.user.updateMany({ where: { role: 'admin' }, data: { disabled: false } });
    });
  });
}
