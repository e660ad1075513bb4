import 'server-only';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db, TransactionClient } from '@/lib/server/db/database';
import type { Actor } from '@/lib/server/auth/current-actor';
import { formatRate, type RateRule } from './rate-limit';

/** The secret is 32 random bytes, shown once; only its SHA-256 is stored (a high-entropy key needs no slow hash). */
export function createClientSecret(): { secret: string; sha256: string } {
  const secret = `rfr_${randomBytes(32).toString('base64url')}`;
  return { secret, sha256: sha256Hex(secret) };
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function secretMatches(secret: string, storedSha256: string): boolean {
  const given = Buffer.from(sha256Hex(secret), 'hex');
  const stored = Buffer.from(storedSha256, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}

/** The service account's e-mail: an address that can receive nothing (RFC 2606 `.invalid`). */
export function serviceAccountEmail(clientId: string): string {
  return `api-client-${clientId}@api-clients.invalid`;
}

export type ApiClientRecord = {
  id: string;
  name: string;
  teamId: string;
  teamName: string;
  watchlistIds: string[];
  rate: RateRule;
  expiresAt: Date | null;
  revokedAt: Date | null;
  secretRotatedAt: Date;
  createdAt: Date;
  legalBasis: string;
  serviceUser: { id: string; email: string; displayName: string };
};

const CLIENT_SELECT = {
  id: true,
  name: true,
  teamId: true,
  watchlistIds: true,
  rateLimit: true,
  ratePeriodSeconds: true,
  expiresAt: true,
  revokedAt: true,
  secretRotatedAt: true,
  createdAt: true,
  legalBasis: true,
  secretSha256: true,
  team: { select: { name: true } },
  serviceUser: { select: { id: true, email: true, displayName: true } },
} as const;

type ClientRow = {
  id: string;
  name: string;
  teamId: string;
  watchlistIds: string[];
  rateLimit: number;
  ratePeriodSeconds: number;
  expiresAt: Date | null;
  revokedAt: Date | null;
  secretRotatedAt: Date;
  createdAt: Date;
  legalBasis: string;
  secretSha256: string;
  team: { name: string };
  serviceUser: { id: string; email: string; displayName: string };
};

function toRecord(row: ClientRow): ApiClientRecord {
  const { rateLimit, ratePeriodSeconds, team, secretSha256: _secret, ...rest } = row;
  return { ...rest, teamName: team.name, rate: { capacity: rateLimit, periodSeconds: ratePeriodSeconds } };
}

export async function findApiClientWithSecret(db: Db | TransactionClient, clientId: string): Promise<(ApiClientRecord & { secretSha256: string }) | null> {
  const row = (await db.apiClient.findUnique({ where: { id: clientId }, select: CLIENT_SELECT })) as ClientRow | null;
  return row ? { ...toRecord(row), secretSha256: row.secretSha256 } : null;
}

export async function findApiClient(db: Db | TransactionClient, clientId: string): Promise<ApiClientRecord | null> {
  const row = (await db.apiClient.findUnique({ where: { id: clientId }, select: CLIENT_SELECT })) as ClientRow | null;
  return row ? toRecord(row) : null;
}

export async function listApiClientRecords(db: Db): Promise<ApiClientRecord[]> {
  const rows = (await db.apiClient.findMany({ orderBy: { createdAt: 'asc' }, select: CLIENT_SELECT })) as ClientRow[];
  return rows.map(toRecord);
}

export type ClientStanding = 'active' | 'revoked' | 'expired';

export function standingOf(client: Pick<ApiClientRecord, 'revokedAt' | 'expiresAt'>, now = new Date()): ClientStanding {
  if (client.revokedAt) return 'revoked';
  if (client.expiresAt && client.expiresAt <= now) return 'expired';
  return 'active';
}

/** What the action wrapper is given as the signed-in user for a call by this client: its service account. */
export function actorForClient(client: ApiClientRecord): Actor {
  return { id: client.serviceUser.id, email: client.serviceUser.email, displayName: client.serviceUser.displayName, role: 'investigator', teamId: client.teamId };
}

export function describeClient(client: ApiClientRecord) {
  return {
    clientId: client.id,
    name: client.name,
    team: client.teamName,
    watchlistIds: client.watchlistIds,
    rate: formatRate(client.rate),
    expiresAt: client.expiresAt?.toISOString() ?? null,
    revokedAt: client.revokedAt?.toISOString() ?? null,
    standing: standingOf(client),
  };
}
