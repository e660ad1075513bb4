import 'server-only';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { Db } from '@/lib/server/db/database';

// The hash chain shows that no event inside it was changed, but not that the newest events were not
// simply deleted (the chain up to the new head is still intact), nor that the whole chain was not
// recomputed by someone able to write to the table. Checkpoints close both gaps: every few minutes the
// head's sequence and hash are signed with a key the database does not hold and appended to a file
// outside the database. Verification then demands that every checkpointed event still exists with
// the checkpointed hash. Ship the file (and the public key) off the machine for the full benefit.

export const ANCHOR_FILE = 'audit-anchors.jsonl';
export const ANCHOR_PRIVATE_KEY_FILE = 'audit-anchor-key.pem';
export const ANCHOR_PUBLIC_KEY_FILE = 'audit-anchor-key.pub.pem';
export const ANCHOR_FORMAT = 'rfr-audit-anchor/1';

/** One line of the anchors file. `sequence` is a decimal string (events are numbered with bigints). */
export type AuditAnchor = { format: typeof ANCHOR_FORMAT; sequence: string; hash: string; time: string; keyId: string; signature: string };

export type AnchorKeys = { privateKey: KeyObject; publicKey: KeyObject; publicKeyPem: string; keyId: string };

/**
 * The exact bytes signed: plain lines rather than JSON, so that any tool (see
 * scripts/verify-audit-export.mjs) can rebuild them without a canonical JSON encoder.
 */
export function anchorMessage(anchor: Pick<AuditAnchor, 'sequence' | 'hash' | 'time'>): Buffer {
  return Buffer.from(`${ANCHOR_FORMAT}\n${anchor.sequence}\n${anchor.hash}\n${anchor.time}`, 'utf8');
}

export function publicKeyId(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
}

/**
 * The signing key, generated on first use (mode 600, created exclusively so that two processes
 * starting together agree on one key) with its public half exported next to it as PEM.
 */
export function loadAnchorKeys(dataDir: string): AnchorKeys {
  mkdirSync(dataDir, { recursive: true });
  const privatePath = join(dataDir, ANCHOR_PRIVATE_KEY_FILE);
  if (!existsSync(privatePath)) {
    const { privateKey } = generateKeyPairSync('ed25519');
    try {
      const fd = openSync(privatePath, 'wx', 0o600);
      try {
        writeSync(fd, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
      } finally {
        closeSync(fd);
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  if ((statSync(privatePath).mode & 0o077) !== 0) {
    console.warn(`[audit] ${privatePath} was readable by others; its mode is now 600`);
    chmodSync(privatePath, 0o600);
  }
  const privateKey = createPrivateKey(readFileSync(privatePath, 'utf8'));
  const publicKey = createPublicKey(privateKey);
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
  const publicPath = join(dataDir, ANCHOR_PUBLIC_KEY_FILE);
  if (!existsSync(publicPath) || readFileSync(publicPath, 'utf8') !== publicKeyPem) writeFileSync(publicPath, publicKeyPem, { mode: 0o600 });
  return { privateKey, publicKey, publicKeyPem, keyId: publicKeyId(publicKey) };
}

/**
 * The key checkpoints are verified with: the pinned public key when given (a copy kept elsewhere, so
 * that whoever can write to the data folder cannot swap key and checkpoints together), else the one
 * derived from the signing key in the data folder, else its exported public key. Null when there is
 * none, i.e. nothing was ever anchored here.
 */
export function loadAnchorPublicKey(dataDir: string, pinnedPem?: string): KeyObject | null {
  if (pinnedPem) return createPublicKey(pinnedPem);
  const privatePath = join(dataDir, ANCHOR_PRIVATE_KEY_FILE);
  if (existsSync(privatePath)) return createPublicKey(createPrivateKey(readFileSync(privatePath, 'utf8')));
  const publicPath = join(dataDir, ANCHOR_PUBLIC_KEY_FILE);
  return existsSync(publicPath) ? createPublicKey(readFileSync(publicPath, 'utf8')) : null;
}

export type AnchorProblem = { line: number; reason: string };
export type AnchorFile = { anchors: (AuditAnchor & { line: number })[]; problems: AnchorProblem[] };

const HASH_PATTERN = /^[0-9a-f]{64}$/;

/**
 * Every checkpoint in the file, each checked against the key; a line that fails is a problem, not
 * skipped. With `fromSequence`, signatures are only checked from that sequence on (an incremental
 * verification trusts what an earlier one checked), though every line must still be well formed.
 */
export function readAuditAnchors(dataDir: string, publicKey: KeyObject | null, options: { fromSequence?: bigint } = {}): AnchorFile {
  const path = join(dataDir, ANCHOR_FILE);
  if (!existsSync(path)) return { anchors: [], problems: [] };
  const text = readFileSync(path, 'utf8');
  const anchors: AnchorFile['anchors'] = [];
  const problems: AnchorProblem[] = [];
  const keyId = publicKey ? publicKeyId(publicKey) : null;
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    let anchor: AuditAnchor;
    try {
      anchor = JSON.parse(raw) as AuditAnchor;
    } catch {
      problems.push({ line, reason: 'not valid JSON (a truncated or edited line)' });
      return;
    }
    if (anchor.format !== ANCHOR_FORMAT || !/^\d+$/.test(String(anchor.sequence)) || !HASH_PATTERN.test(String(anchor.hash)) || Number.isNaN(Date.parse(anchor.time))) {
      problems.push({ line, reason: 'not a checkpoint record' });
      return;
    }
    if (options.fromSequence !== undefined && BigInt(anchor.sequence) < options.fromSequence) {
      anchors.push({ ...anchor, line });
      return;
    }
    if (!publicKey) {
      problems.push({ line, reason: 'there is no public key to check the signature with' });
      return;
    }
    if (anchor.keyId !== keyId) {
      problems.push({ line, reason: `signed with key ${anchor.keyId}, not with this installation's key ${keyId}` });
      return;
    }
    if (!verify(null, anchorMessage(anchor), publicKey, Buffer.from(String(anchor.signature), 'base64'))) {
      problems.push({ line, reason: 'the signature does not match (the line was edited or forged)' });
      return;
    }
    anchors.push({ ...anchor, line });
  });
  return { anchors, problems };
}

/** The checkpoint with the highest sequence (the newest head vouched for). */
export function latestAnchor<T extends Pick<AuditAnchor, 'sequence'>>(anchors: readonly T[]): T | null {
  return anchors.reduce<T | null>((best, anchor) => (!best || BigInt(anchor.sequence) > BigInt(best.sequence) ? anchor : best), null);
}

export type AnchorResult = { written: AuditAnchor } | { written: null; reason: 'empty' | 'unchanged' };

/**
 * Signs the chain's current head and appends it to the anchors file (opened with O_APPEND, so
 * concurrent writers, the server and `npm run audit:anchor`, never overwrite each other's lines). A
 * head already checkpointed is not written again.
 */
export async function writeAuditAnchor(db: Db, options: { dataDir: string; now?: Date }): Promise<AnchorResult> {
  const head = await db.auditEvent.findFirst({ orderBy: { sequence: 'desc' }, select: { sequence: true, hash: true } });
  if (!head) return { written: null, reason: 'empty' };
  const keys = loadAnchorKeys(options.dataDir);
  const previous = await readLastLine(join(options.dataDir, ANCHOR_FILE));
  if (previous?.includes(`"sequence":"${head.sequence}","hash":"${head.hash}"`)) return { written: null, reason: 'unchanged' };
  const unsigned = { sequence: head.sequence.toString(), hash: head.hash, time: (options.now ?? new Date()).toISOString() };
  const anchor: AuditAnchor = {
    format: ANCHOR_FORMAT,
    ...unsigned,
    keyId: keys.keyId,
    signature: sign(null, anchorMessage(unsigned), keys.privateKey).toString('base64'),
  };
  const file = await open(join(options.dataDir, ANCHOR_FILE), 'a', 0o600);
  try {
    // One write of one line: with O_APPEND it lands whole at the end of the file.
    await file.write(`${JSON.stringify(anchor)}\n`);
    await file.sync();
  } finally {
    await file.close();
  }
  return { written: anchor };
}

// The writer only needs to know whether the head changed since the last line: the file's tail, not
// the whole file (which grows by a line every few minutes for years).
async function readLastLine(path: string): Promise<string | null> {
  if (!existsSync(path)) return null;
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const length = Math.min(size, 4_096);
    const buffer = Buffer.alloc(length);
    await file.read(buffer, 0, length, size - length);
    const lines = buffer.toString('utf8').split('\n').filter((line) => line.trim() !== '');
    return lines.at(-1) ?? null;
  } finally {
    await file.close();
  }
}
