import 'server-only';
import type { Db } from '@/lib/server/db/database';
import { sha256Of } from '@/lib/server/storage/pack-store';

export type PackVerification = {
  sha256: string;
  bytes: number;
  /** The approval's audit event that recorded this exact file, or null: then the file is not a pack as issued. */
  approval: { sequence: bigint; hash: string; createdAt: Date; actorName: string | null; disclosureId: string | null; caseReference: string | null } | null;
};

/**
 * Checks a copy of a disclosure pack against the audit log: the file's SHA-256 must be the one an
 * approval event recorded. A pack cannot contain its own hash, so the log is where it is kept; any
 * edit to the file, however small, changes the hash and finds nothing.
 */
export async function verifyPackFile(db: Db, file: Uint8Array): Promise<PackVerification> {
  const sha256 = sha256Of(file);
  const event = await db.auditEvent.findFirst({
    where: { action: 'disclosure.approve', outcome: 'success', payload: { path: ['packSha256'], equals: sha256 } },
    orderBy: { sequence: 'asc' },
    select: { sequence: true, hash: true, createdAt: true, actorId: true, targetId: true },
  });
  if (!event) return { sha256, bytes: file.byteLength, approval: null };
  const [actor, disclosure] = await Promise.all([
    event.actorId ? db.user.findUnique({ where: { id: event.actorId }, select: { displayName: true } }) : null,
    event.targetId ? db.disclosure.findUnique({ where: { id: event.targetId }, select: { candidate: { select: { search: { select: { case: { select: { reference: true } } } } } } } }) : null,
  ]);
  return {
    sha256,
    bytes: file.byteLength,
    approval: {
      sequence: event.sequence,
      hash: event.hash,
      createdAt: event.createdAt,
      actorName: actor?.displayName ?? null,
      disclosureId: event.targetId,
      caseReference: disclosure?.candidate.search.case.reference ?? null,
    },
  };
}
