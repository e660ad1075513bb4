import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { authorizeCreation, createActionDefiner } from '@/lib/server/actions/create-action-definer';
import { recordAuditEvent } from '@/lib/server/audit/append-audit-event';
import { CLI_REQUEST_CONTEXT, type RequestContext } from '@/lib/server/audit/request-context';
import { verifyAuditChain } from '@/lib/server/audit/verify-audit-chain';
import type { Actor } from '@/lib/server/auth/current-actor';
import type { Database } from '@/lib/server/db/database';
import { openMemoryDatabase } from '../support/test-database';

// Where each audited request came from is part of the event, inside the hash chain: through the action
// wrapper (its getRequestContext dependency), and for events written elsewhere on behalf of a web
// request (page views, sign-in), from the request in scope.
vi.mock('next/headers', () => ({ headers: async () => new Headers({ 'user-agent': 'Ambient/1.0' }) }));

let database: Database;
let actor: Actor | null;
const web: RequestContext = { ip: '203.0.113.9', userAgent: 'Firefox/140' };

const definer = (getRequestContext: () => Promise<RequestContext | null>) =>
  createActionDefiner({ getActor: async () => actor, getPrisma: async () => database.prisma, getRequestContext, logError: () => {} });

const noteAction = (getRequestContext: () => Promise<RequestContext | null>) =>
  definer(getRequestContext)({
    name: 'setting.note',
    permission: 'settings:manage',
    input: z.object({ key: z.string().min(3) }),
    authorize: authorizeCreation,
    async run({ input, tx }) {
      await tx.setting.create({ data: { key: input.key, value: true } });
      return { data: null, target: { type: 'setting', id: input.key }, auditPayload: { key: input.key, request: 'a payload cannot forge this key' } };
    },
  });

const last = () => database.prisma.auditEvent.findFirstOrThrow({ orderBy: { sequence: 'desc' } });

beforeAll(async () => {
  database = await openMemoryDatabase();
  actor = await database.prisma.user.create({
    data: { email: 'admin@request.test', displayName: 'Admin', role: 'admin', passwordHash: 'x' },
    select: { id: true, email: true, displayName: true, role: true, teamId: true },
  });
  // Opening PGlite with the migrations takes seconds, and longer on a loaded machine (10 s timed out).
}, 60_000);
afterAll(async () => database?.close());

describe('request context in audit events', () => {
  it('records the web request on a successful action, over whatever the payload said', async () => {
    expect(await noteAction(async () => web)({ key: 'first' })).toMatchObject({ ok: true });
    expect((await last()).payload).toEqual({ key: 'first', request: web });
  });

  it('records it on refusals too: validation, role and unauthenticated', async () => {
    await noteAction(async () => web)({ key: 'x' });
    expect(await last()).toMatchObject({ outcome: 'refused', payload: { code: 'VALIDATION', request: web } });
    const admin = actor;
    actor = { ...admin!, role: 'investigator' };
    await noteAction(async () => web)({ key: 'second' });
    expect(await last()).toMatchObject({ outcome: 'refused', payload: { code: 'FORBIDDEN', request: web } });
    actor = null;
    await noteAction(async () => web)({ key: 'third' });
    expect(await last()).toMatchObject({ outcome: 'refused', payload: { code: 'UNAUTHENTICATED', request: web } });
    actor = admin;
  });

  it('records "cli" for command-line tools, and still runs the action when the context cannot be read', async () => {
    await noteAction(async () => CLI_REQUEST_CONTEXT)({ key: 'from-cli' });
    expect((await last()).payload).toMatchObject({ request: { ip: null, userAgent: 'cli' } });
    const result = await noteAction(async () => {
      throw new Error('no headers');
    })({ key: 'no-context' });
    expect(result).toMatchObject({ ok: true });
    expect((await last()).payload).toEqual({ key: 'no-context' });
  });

  it('takes the request in scope for events written outside the wrapper (page views, sign-in)', async () => {
    const write = () => recordAuditEvent(database.prisma, { actorId: actor!.id, actorRole: 'admin', action: 'page.view', outcome: 'refused', targetType: 'page', targetId: '/admin' });
    await write();
    expect((await last()).payload).toEqual({});
    process.env.NEXT_RUNTIME = 'nodejs';
    try {
      await write();
      expect((await last()).payload).toEqual({ request: { ip: null, userAgent: 'Ambient/1.0' } });
    } finally {
      delete process.env.NEXT_RUNTIME;
    }
  });

  it('hashes the request with the rest: changing the recorded address breaks the chain', async () => {
    expect(await verifyAuditChain(database.prisma)).toMatchObject({ ok: true });
    const first = await database.prisma.auditEvent.findFirstOrThrow({ where: { action: 'setting.note', outcome: 'success' }, orderBy: { sequence: 'asc' } });
    await database.driver.withSession(async (session) => {
      await session.exec('SET session_replication_role = replica');
      await session.exec(`UPDATE audit_events SET payload = jsonb_set(payload, '{request,ip}', '"192.0.2.1"') WHERE sequence = ${first.sequence}`);
      await session.exec('SET session_replication_role = origin');
    });
    expect(await verifyAuditChain(database.prisma)).toMatchObject({ ok: false, brokenAt: first.sequence });
  });
});
