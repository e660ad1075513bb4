import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActionDefiner } from '@/lib/server/actions/create-action-definer';
import { createApiClientSpec, revokeApiClientSpec, rotateApiClientSecretSpec } from '@/lib/server/actions/specs/api-clients';
import { findApiClientWithSecret, secretMatches, sha256Hex, standingOf } from '@/lib/server/api/api-clients';
import { issueAccessToken, readTokenKey, verifyAccessToken } from '@/lib/server/api/api-token';
import { claimIdempotencyKey, completeIdempotencyKey, releaseIdempotencyKey } from '@/lib/server/api/idempotency-store';
import type { Actor } from '@/lib/server/auth/current-actor';
import type { Database } from '@/lib/server/db/database';
import { openMemoryDatabase } from '../../support/test-database';

let database: Database;
let admin: Actor;
let openListId: string;
let restrictedListId: string;
const named = '11111111-2222-4333-8444-555555555555';

beforeAll(async () => {
  database = await openMemoryDatabase();
  const { prisma } = database;
  await prisma.team.create({ data: { name: 'Street team' } });
  const user = await prisma.user.create({ data: { email: 'admin@test.local', displayName: 'Admin', passwordHash: 'x', role: 'admin' } });
  admin = { id: user.id, email: user.email, displayName: user.displayName, role: 'admin', teamId: null };
  const list = (name: string, searchableBy: string[]) =>
    prisma.watchlist.create({ data: { name, purpose: 'Test', authority: 'Test', ownerId: user.id, retentionDays: 30, reviewDate: new Date('2030-01-01'), searchableBy } });
  openListId = (await list('Open list', [])).id;
  restrictedListId = (await list('Restricted list', [named])).id;
});
afterAll(async () => database?.close());

function definer(actor: Actor) {
  return createActionDefiner({ getActor: async () => actor, getPrisma: async () => database.prisma, getRequestContext: async () => ({ ip: null, userAgent: 'test' }), logError: () => {} });
}

describe('API client registry', () => {
  it('registers a client with a service account, keeps only the secret’s digest and grants a restricted list', async () => {
    const created = await definer(admin)(createApiClientSpec)({ name: 'Mobile app', team: 'Street team', watchlists: ['Open list', 'Restricted list'], rate: '5/s', expires: '90d' });
    expect(created.ok).toBe(true);
    if (!created.ok) return;
    const { clientId, clientSecret } = created.data;
    const stored = await findApiClientWithSecret(database.prisma, clientId);
    expect(stored).not.toBeNull();
    expect(stored!.secretSha256).toBe(sha256Hex(clientSecret));
    expect(stored!.secretSha256).not.toContain(clientSecret);
    expect(secretMatches(clientSecret, stored!.secretSha256)).toBe(true);
    expect(secretMatches(`${clientSecret}x`, stored!.secretSha256)).toBe(false);
    expect(stored!.rate).toEqual({ capacity: 5, periodSeconds: 1 });
    expect(stored!.watchlistIds.sort()).toEqual([openListId, restrictedListId].sort());
    const days = (stored!.expiresAt!.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(89.9);
    expect(days).toBeLessThan(90.1);

    const service = await database.prisma.user.findUniqueOrThrow({ where: { id: stored!.serviceUser.id }, select: { role: true, disabled: true, team: { select: { name: true } } } });
    expect(service).toEqual({ role: 'investigator', disabled: true, team: { name: 'Street team' } });
    const restricted = await database.prisma.watchlist.findUniqueOrThrow({ where: { id: restrictedListId }, select: { searchableBy: true } });
    expect(restricted.searchableBy).toEqual([named, stored!.serviceUser.id]);
    const open = await database.prisma.watchlist.findUniqueOrThrow({ where: { id: openListId }, select: { searchableBy: true } });
    expect(open.searchableBy).toEqual([]);

    const events = await database.prisma.auditEvent.findMany({ where: { action: 'api_client.create', targetId: clientId } });
    expect(events).toHaveLength(1);
    expect(JSON.stringify(events[0]!.payload)).not.toContain(clientSecret);
    expect(JSON.stringify(events[0]!.payload)).not.toContain(stored!.secretSha256);
  });

  it('refuses an unknown team, an unknown list, a duplicate name and a role without the permission', async () => {
    const define = definer(admin);
    const unknownTeam = await define(createApiClientSpec)({ name: 'Other', team: 'Nobody', watchlists: ['Open list'] });
    expect(!unknownTeam.ok && unknownTeam.error.code).toBe('NOT_FOUND');
    expect(!unknownTeam.ok && unknownTeam.error.message).toContain('"Street team"');
    const unknownList = await define(createApiClientSpec)({ name: 'Other', team: 'Street team', watchlists: ['Nope'] });
    expect(!unknownList.ok && unknownList.error.code).toBe('NOT_FOUND');
    const duplicate = await define(createApiClientSpec)({ name: 'Mobile app', team: 'Street team', watchlists: ['Open list'] });
    expect(!duplicate.ok && duplicate.error.code).toBe('CONFLICT');
    const investigator: Actor = { id: admin.id, email: 'i@x', displayName: 'I', role: 'investigator', teamId: null };
    const forbidden = await definer(investigator)(createApiClientSpec)({ name: 'Sneaky', team: 'Street team', watchlists: ['Open list'] });
    expect(!forbidden.ok && forbidden.error.code).toBe('FORBIDDEN');
    expect(await database.prisma.apiClient.count()).toBe(1);
  });

  it('rotates the secret (the old one and its tokens stop working) and revokes', async () => {
    const client = (await database.prisma.apiClient.findFirstOrThrow({ select: { id: true, secretSha256: true, secretRotatedAt: true } }));
    const key = new Uint8Array(32).fill(7);
    const before = await issueAccessToken({ id: client.id, secretRotatedAt: client.secretRotatedAt }, { key });
    const rotated = await definer(admin)(rotateApiClientSecretSpec)({ clientId: client.id });
    expect(rotated.ok).toBe(true);
    const after = await findApiClientWithSecret(database.prisma, client.id);
    expect(after!.secretSha256).not.toBe(client.secretSha256);
    expect(rotated.ok && secretMatches(rotated.data.clientSecret, after!.secretSha256)).toBe(true);
    const claims = await verifyAccessToken(before.accessToken, { key });
    expect(claims.ok && claims.claims.secretRotatedAt).toBe(client.secretRotatedAt.getTime());
    expect(after!.secretRotatedAt.getTime()).not.toBe(client.secretRotatedAt.getTime());

    const revoked = await definer(admin)(revokeApiClientSpec)({ clientId: client.id });
    expect(revoked.ok).toBe(true);
    expect(standingOf((await findApiClientWithSecret(database.prisma, client.id))!)).toBe('revoked');
    const again = await definer(admin)(revokeApiClientSpec)({ clientId: client.id });
    expect(!again.ok && again.error.code).toBe('CONFLICT');
    const rotateRevoked = await definer(admin)(rotateApiClientSecretSpec)({ clientId: client.id });
    expect(!rotateRevoked.ok && rotateRevoked.error.code).toBe('CONFLICT');
  });
});

describe('access tokens', () => {
  it('verifies its own tokens, tells expired from forged, and keeps its key owner-only', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rfr-token-'));
    const key = readTokenKey({ dataDir, secret: undefined });
    expect(statSync(join(dataDir, 'api-token-key')).mode & 0o777).toBe(0o600);
    expect(readTokenKey({ dataDir, secret: undefined })).toEqual(key);
    const client = { id: '6f1e7c36-1f5e-4b8e-9d7a-3c2b1a0f9e8d', secretRotatedAt: new Date() };
    const fresh = await issueAccessToken(client, { key });
    expect(fresh.expiresIn).toBe(300);
    const ok = await verifyAccessToken(fresh.accessToken, { key });
    expect(ok.ok && ok.claims.clientId).toBe(client.id);
    const old = await issueAccessToken(client, { key, now: new Date(Date.now() - 301_000) });
    expect(await verifyAccessToken(old.accessToken, { key })).toEqual({ ok: false, reason: 'expired' });
    const forged = await issueAccessToken(client, { key: new Uint8Array(32).fill(1) });
    expect(await verifyAccessToken(forged.accessToken, { key })).toEqual({ ok: false, reason: 'invalid' });
    expect(await verifyAccessToken('not.a.token', { key })).toEqual({ ok: false, reason: 'invalid' });
  });
});

describe('Idempotency-Key store', () => {
  it('claims once, replays the first response, tells a different request apart, and lets go after a failure', async () => {
    const clientId = (await database.prisma.apiClient.findFirstOrThrow({ select: { id: true } })).id;
    const request = { clientId, key: 'retry-1', method: 'POST', path: '/api/v1/searches', requestSha256: 'a'.repeat(64) };
    expect(await claimIdempotencyKey(database.prisma, request)).toEqual({ kind: 'new' });
    // A concurrent duplicate while the first is still working.
    expect(await claimIdempotencyKey(database.prisma, request)).toEqual({ kind: 'in_progress' });
    await completeIdempotencyKey(database.prisma, request, { status: 201, body: { id: 'first' } });
    expect(await claimIdempotencyKey(database.prisma, request)).toEqual({ kind: 'replay', status: 201, body: { id: 'first' } });
    expect(await claimIdempotencyKey(database.prisma, { ...request, requestSha256: 'b'.repeat(64) })).toEqual({ kind: 'mismatch' });
    expect(await claimIdempotencyKey(database.prisma, { ...request, path: '/api/v1/searches/x/decisions' })).toEqual({ kind: 'mismatch' });

    const failing = { ...request, key: 'retry-2' };
    expect(await claimIdempotencyKey(database.prisma, failing)).toEqual({ kind: 'new' });
    await releaseIdempotencyKey(database.prisma, failing);
    expect(await claimIdempotencyKey(database.prisma, failing)).toEqual({ kind: 'new' });

    // Of ten concurrent first requests with one key, exactly one does the work.
    const racing = { ...request, key: 'race' };
    const claims = await Promise.all(Array.from({ length: 10 }, () => claimIdempotencyKey(database.prisma, racing)));
    expect(claims.filter((claim) => claim.kind === 'new')).toHaveLength(1);

    // A day later the key is forgotten.
    const tomorrow = new Date(Date.now() + 25 * 3_600_000);
    expect(await claimIdempotencyKey(database.prisma, request, tomorrow)).toEqual({ kind: 'new' });
  });
});
