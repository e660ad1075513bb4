import 'server-only';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '@/lib/server/db/database';
import { getConfig } from '@/lib/server/config';
import { getPrisma } from '@/lib/server/db/database';
import { hashAuditEvent } from './audit-hash';
import { latestAnchor, loadAnchorPublicKey, readAuditAnchors, type AuditAnchor } from './audit-anchor';
import { verifyAuditChain, walkAuditChain, type AuditChainReport } from './verify-audit-chain';

// Verification of the audit log against its signed checkpoints (see audit-anchor). A full run walks
// the whole chain and checks every checkpoint; an incremental run starts from the checkpoint the last
// successful run reached, re-checks that checkpoint's signature and that its event is still there
// with the checkpointed hash, and walks only the events after it. An edit before that checkpoint that
// left the rest of the chain as it was is only found by a full run, so `npm run audit:verify` stays
// full and the admin page, which runs on every view, is incremental.

export const VERIFIED_STATE_FILE = 'audit-verified.json';

export type AuditLogReport = {
  mode: 'full' | 'incremental';
  /** Events whose hashes were recomputed in this run. */
  events: number;
  /** Where the walk started (1 for a full run, the checkpoint after which an incremental one did). */
  fromSequence: string;
  headSequence: string | null;
  /** The newest checkpoint, if any: how recently the log was vouched for outside the database. */
  checkpoint: { sequence: string; time: string } | null;
} & ({ ok: true } | { ok: false; brokenAt: string | null; reason: string });

type VerifiedState = { sequence: string; hash: string; signature: string; verifiedAt: string };

export type VerifyAuditLogOptions = {
  dataDir: string;
  mode: 'full' | 'incremental';
  /** A public key kept elsewhere, to verify the checkpoints with rather than the data folder's own. */
  publicKeyPem?: string;
};

export async function verifyAuditLog(db: Db, options: VerifyAuditLogOptions): Promise<AuditLogReport> {
  const publicKey = loadAnchorPublicKey(options.dataDir, options.publicKeyPem);
  const state = options.mode === 'incremental' ? readVerifiedState(options.dataDir) : null;
  const file = readAuditAnchors(options.dataDir, publicKey, state ? { fromSequence: BigInt(state.sequence) } : {});
  const newest = latestAnchor(file.anchors);
  const base = { events: 0, checkpoint: newest ? { sequence: newest.sequence, time: newest.time } : null };
  const problem = file.problems[0];
  if (problem) {
    return { ...base, mode: options.mode, fromSequence: '1', headSequence: null, ok: false, brokenAt: null, reason: `checkpoint file ${problem.line}: ${problem.reason}` };
  }
  const checkpoints = new Map<bigint, string>();
  for (const anchor of file.anchors) {
    const sequence = BigInt(anchor.sequence);
    const earlier = checkpoints.get(sequence);
    // Two signed heads for one event: the log was cut back and written again from there.
    if (earlier !== undefined && earlier !== anchor.hash) {
      return { ...base, mode: options.mode, fromSequence: '1', headSequence: null, ok: false, brokenAt: anchor.sequence, reason: `two signed checkpoints disagree about event ${anchor.sequence} (line ${anchor.line}): the log was cut back and rewritten` };
    }
    checkpoints.set(sequence, anchor.hash);
  }

  // Incremental only from a checkpoint that is still in the file, signed, and whose event is unchanged.
  const start = state && file.anchors.some((anchor) => anchor.signature === state.signature && anchor.sequence === state.sequence && anchor.hash === state.hash) ? state : null;
  let walk: AuditChainReport;
  let mode: 'full' | 'incremental' = 'full';
  let fromSequence = 1n;
  if (start) {
    const sequence = BigInt(start.sequence);
    const row = await db.auditEvent.findUnique({ where: { sequence } });
    if (!row) {
      const head = await db.auditEvent.findFirst({ orderBy: { sequence: 'desc' }, select: { sequence: true } });
      const reason = `event ${start.sequence}, vouched for by a signed checkpoint, is missing: the log ends at event ${head?.sequence ?? 0}`;
      return { ...base, mode: 'incremental', fromSequence: start.sequence, headSequence: head ? head.sequence.toString() : null, ok: false, brokenAt: start.sequence, reason };
    }
    if (row.hash !== start.hash || hashAuditEvent(row) !== row.hash) {
      return { ...base, mode: 'incremental', fromSequence: start.sequence, headSequence: null, ok: false, brokenAt: start.sequence, reason: `event ${start.sequence} no longer matches its signed checkpoint (it was edited or the chain was rewritten)` };
    }
    mode = 'incremental';
    fromSequence = sequence + 1n;
    walk = await walkAuditChain(db, { from: { sequence: fromSequence, prevHash: start.hash }, checkpoints });
  } else {
    walk = await verifyAuditChain(db, { checkpoints });
  }
  const report = { ...base, mode, fromSequence: fromSequence.toString(), events: walk.events };
  if (!walk.ok) return { ...report, headSequence: null, ok: false, brokenAt: walk.brokenAt.toString(), reason: walk.reason };

  // The chain is intact up to its head; a checkpoint beyond the head means the newest events are gone.
  if (newest && BigInt(newest.sequence) > walk.headSequence) {
    return {
      ...report,
      headSequence: walk.headSequence.toString(),
      ok: false,
      brokenAt: (walk.headSequence + 1n).toString(),
      reason: `the newest events were deleted: the checkpoint of ${newest.time} vouches for event ${newest.sequence}, but the log ends at event ${walk.headSequence}`,
    };
  }
  if (newest) writeVerifiedState(options.dataDir, newest);
  return { ...report, headSequence: walk.headSequence.toString(), ok: true };
}

/** For the admin audit page: the incremental verification of the server's own log and checkpoints. */
export async function verifyAuditLogForPage(db?: Db): Promise<AuditLogReport> {
  return verifyAuditLog(db ?? (await getPrisma()), { dataDir: getConfig().dataDir, mode: 'incremental' });
}

function readVerifiedState(dataDir: string): VerifiedState | null {
  const path = join(dataDir, VERIFIED_STATE_FILE);
  if (!existsSync(path)) return null;
  try {
    const state = JSON.parse(readFileSync(path, 'utf8')) as Partial<VerifiedState>;
    return typeof state.sequence === 'string' && typeof state.hash === 'string' && typeof state.signature === 'string' ? (state as VerifiedState) : null;
  } catch {
    return null;
  }
}

// Written whole and renamed into place, so a reader never sees half a file. The state is only a
// pointer to a signed checkpoint: a forged one that names no such checkpoint is ignored (full run).
function writeVerifiedState(dataDir: string, anchor: AuditAnchor): void {
  const path = join(dataDir, VERIFIED_STATE_FILE);
  const state: VerifiedState = { sequence: anchor.sequence, hash: anchor.hash, signature: anchor.signature, verifiedAt: new Date().toISOString() };
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(state)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}
