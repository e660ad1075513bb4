import 'server-only';
import { randomBytes, randomUUID } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { jwtVerify, SignJWT, errors as joseErrors } from 'jose';
import { getConfig } from '@/lib/server/config';
import { OWNER_ONLY_DIRECTORY, OWNER_ONLY_FILE } from '@/lib/server/storage/owner-only';

/** Access tokens last five minutes: a stolen one is worth little, and revocation is checked on every call anyway. */
export const ACCESS_TOKEN_SECONDS = 300;
export const TOKEN_ISSUER = 'rfr-workstation';
export const TOKEN_AUDIENCE = 'rfr-api-v1';
const ALGORITHM = 'HS256';

export type AccessTokenClaims = { clientId: string; secretRotatedAt: number; tokenId: string; expiresAt: number };

/**
 * The signing key: API_TOKEN_SECRET, or 32 random bytes generated once in DATA_DIR/api-token-key,
 * owner-only like the session secret. Created with O_EXCL, so two processes starting at once agree on
 * one key (the loser reads the winner's).
 */
export function readTokenKey(options: { dataDir?: string; secret?: string | undefined } = {}): Uint8Array {
  const secret = options.secret ?? getConfig().apiTokenSecret;
  if (secret) return new TextEncoder().encode(secret);
  const dataDir = options.dataDir ?? getConfig().dataDir;
  const path = join(dataDir, 'api-token-key');
  try {
    return decodeKey(readFileSync(path, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dataDir, { recursive: true, mode: OWNER_ONLY_DIRECTORY });
  try {
    const fd = openSync(path, 'wx', OWNER_ONLY_FILE);
    writeSync(fd, randomBytes(32).toString('base64url'));
    closeSync(fd);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return decodeKey(readFileSync(path, 'utf8'));
}

function decodeKey(text: string): Uint8Array {
  const key = Buffer.from(text.trim(), 'base64url');
  if (key.length < 32) throw new Error('DATA_DIR/api-token-key is shorter than 32 bytes: remove it to have a new one generated.');
  return new Uint8Array(key);
}

let cachedKey: Uint8Array | undefined;
function tokenKey(): Uint8Array {
  cachedKey ??= readTokenKey();
  return cachedKey;
}

/**
 * Signs a token naming the client and the moment its secret was last set: rotating the secret ends
 * every token issued with the old one, and revoking the client ends them all (checked on each call).
 */
export async function issueAccessToken(client: { id: string; secretRotatedAt: Date }, options: { key?: Uint8Array; now?: Date } = {}) {
  const issuedAt = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const token = await new SignJWT({ rot: client.secretRotatedAt.getTime() })
    .setProtectedHeader({ alg: ALGORITHM, typ: 'at+jwt' })
    .setIssuer(TOKEN_ISSUER)
    .setAudience(TOKEN_AUDIENCE)
    .setSubject(client.id)
    .setJti(randomUUID())
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + ACCESS_TOKEN_SECONDS)
    .sign(options.key ?? tokenKey());
  return { accessToken: token, expiresIn: ACCESS_TOKEN_SECONDS };
}

export type TokenCheck = { ok: true; claims: AccessTokenClaims } | { ok: false; reason: 'expired' | 'invalid' };

export async function verifyAccessToken(token: string, options: { key?: Uint8Array } = {}): Promise<TokenCheck> {
  try {
    const { payload } = await jwtVerify(token, options.key ?? tokenKey(), {
      algorithms: [ALGORITHM],
      issuer: TOKEN_ISSUER,
      audience: TOKEN_AUDIENCE,
      typ: 'at+jwt',
      requiredClaims: ['sub', 'exp', 'jti'],
    });
    if (typeof payload.rot !== 'number' || typeof payload.sub !== 'string') return { ok: false, reason: 'invalid' };
    return { ok: true, claims: { clientId: payload.sub, secretRotatedAt: payload.rot, tokenId: String(payload.jti), expiresAt: payload.exp! } };
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) return { ok: false, reason: 'expired' };
    return { ok: false, reason: 'invalid' };
  }
}
