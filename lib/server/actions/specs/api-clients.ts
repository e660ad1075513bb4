import 'server-only';
import { randomBytes, randomUUID } from 'node:crypto';
import { specifyAction } from '@/lib/server/actions/create-action-definer';
import { createClientSecret, findApiClient, serviceAccountEmail, standingOf } from '@/lib/server/api/api-clients';
import { formatRate, parseRate } from '@/lib/server/api/rate-limit';
import { hashPassword } from '@/lib/server/auth/passwords';
import { AppError } from '@/lib/shared/errors';
import { apiClientIdSchema, createApiClientSchema, expiryFrom } from '@/lib/shared/schemas/api-client';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Registers a partner system. It acts through a service account of its own (an investigator of its
 * team that cannot sign in: disabled, with a password no one knows), so its searches go through the
 * workstation's actions, visibility rule and review model like anyone else's. A watch-list open only
 * to named investigators gets the service account added: allowing the client that list is the
 * administrator granting it. The secret is returned once and stored as a digest.
 */
export const createApiClientSpec = specifyAction({
  name: 'api_client.create',
  permission: 'api_client:manage',
  input: createApiClientSchema,
  async authorize({ input, tx }) {
    const team = await tx.team.findUnique({ where: { name: input.team }, select: { id: true } });
    if (!team) {
      const known = (await tx.team.findMany({ orderBy: { name: 'asc' }, select: { name: true } })).map((entry) => `"${entry.name}"`);
      throw new AppError('NOT_FOUND', `No team is called "${input.team}". Teams: ${known.join(', ') || 'none yet'}.`, { team: ['Unknown team.'] });
    }
    const names = [...new Set(input.watchlists)];
    const lists = await tx.watchlist.findMany({ where: { name: { in: names }, deletedAt: null }, select: { id: true, name: true, searchableBy: true } });
    const missing = names.filter((name) => !lists.some((list) => list.name === name));
    if (missing.length > 0) {
      throw new AppError('NOT_FOUND', `No watch-list is called ${missing.map((name) => `"${name}"`).join(', ')}.`, { watchlists: ['Unknown watch-list.'] });
    }
    if (await tx.apiClient.findUnique({ where: { name: input.name }, select: { id: true } })) {
      throw new AppError('CONFLICT', `An API client called "${input.name}" already exists.`, { name: ['Choose another name.'] });
    }
    return { teamId: team.id, lists };
  },
  // Hashing the service account's throw-away password takes a moment: outside the transaction.
  prepare: async () => ({ clientId: randomUUID(), secret: createClientSecret(), unusablePasswordHash: await hashPassword(randomBytes(32).toString('base64url')) }),
  async run({ actor, input, tx, authorized: { teamId, lists }, prepared }) {
    const now = new Date();
    const rate = parseRate(input.rate);
    const expiresAt = expiryFrom(input.expires, now);
    const serviceUser = await tx.user.create({
      data: {
        email: serviceAccountEmail(prepared.clientId),
        displayName: `API client ${input.name}`,
        passwordHash: prepared.unusablePasswordHash,
        role: 'investigator',
        teamId,
        disabled: true,
      },
      select: { id: true },
    });
    const restricted = lists.filter((list) => list.searchableBy.length > 0);
    for (const list of restricted) {
      await tx.watchlist.update({ where: { id: list.id }, data: { searchableBy: { push: serviceUser.id } } });
    }
    await tx.apiClient.create({
      data: {
        id: prepared.clientId,
        name: input.name,
        teamId,
        serviceUserId: serviceUser.id,
        secretSha256: prepared.secret.sha256,
        secretRotatedAt: now,
        watchlistIds: lists.map((list) => list.id),
        rateLimit: rate.capacity,
        ratePeriodSeconds: rate.periodSeconds,
        legalBasis: input.legalBasis,
        expiresAt,
        // The command line's actor is not a user row.
        createdById: UUID_PATTERN.test(actor.id) ? actor.id : null,
      },
    });
    return {
      data: {
        clientId: prepared.clientId,
        clientSecret: prepared.secret.secret,
        name: input.name,
        team: input.team,
        watchlists: lists.map((list) => ({ id: list.id, name: list.name })),
        rate: formatRate(rate),
        expiresAt: expiresAt?.toISOString() ?? null,
      },
      target: { type: 'api_client', id: prepared.clientId },
      auditPayload: {
        name: input.name,
        teamId,
        serviceUserId: serviceUser.id,
        watchlistIds: lists.map((list) => list.id),
        restrictedWatchlistsGranted: restricted.map((list) => list.id),
        rate: formatRate(rate),
        expiresAt: expiresAt?.toISOString() ?? null,
        legalBasis: input.legalBasis,
      },
    };
  },
});

/** Revocation is immediate: every call checks the client, so tokens already issued stop working too. */
export const revokeApiClientSpec = specifyAction({
  name: 'api_client.revoke',
  permission: 'api_client:manage',
  input: apiClientIdSchema,
  async authorize({ input, tx }) {
    const client = await findApiClient(tx, input.clientId);
    if (!client) throw new AppError('NOT_FOUND', 'No such API client.');
    if (client.revokedAt) throw new AppError('CONFLICT', `"${client.name}" is already revoked.`);
    return client;
  },
  async run({ input, tx, authorized: client }) {
    const revokedAt = new Date();
    await tx.apiClient.update({ where: { id: input.clientId }, data: { revokedAt } });
    return {
      data: { clientId: input.clientId, name: client.name, revokedAt: revokedAt.toISOString() },
      target: { type: 'api_client', id: input.clientId },
      auditPayload: { name: client.name },
    };
  },
});

/** A new secret, shown once; the old one and every token issued with it stop working at once. */
export const rotateApiClientSecretSpec = specifyAction({
  name: 'api_client.rotate_secret',
  permission: 'api_client:manage',
  input: apiClientIdSchema,
  async authorize({ input, tx }) {
    const client = await findApiClient(tx, input.clientId);
    if (!client) throw new AppError('NOT_FOUND', 'No such API client.');
    if (standingOf(client) === 'revoked') throw new AppError('CONFLICT', `"${client.name}" is revoked: register a new client instead.`);
    return client;
  },
  prepare: async () => createClientSecret(),
  async run({ input, tx, authorized: client, prepared: secret }) {
    await tx.apiClient.update({ where: { id: input.clientId }, data: { secretSha256: secret.sha256, secretRotatedAt: new Date() } });
    return {
      data: { clientId: input.clientId, name: client.name, clientSecret: secret.secret },
      target: { type: 'api_client', id: input.clientId },
      auditPayload: { name: client.name },
    };
  },
});
