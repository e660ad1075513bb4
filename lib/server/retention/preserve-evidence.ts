import 'server-only';
import type { Db } from '@/lib/server/db/database';
import type { Prisma, PrismaClient } from '@/lib/server/generated/prisma/client';
import type { CropStore } from '@/lib/server/storage/crop-store';
import { AppError } from '@/lib/shared/errors';
import { lockEvidenceKey } from './stored-file-deletions';

/**
 * Candidates whose enrolled crop is case evidence and must outlive the face: one put forward for
 * disclosure (pending or approved), one that either reviewer called a possible match (it may still be
 * put forward, and the decision rested on that image), and every candidate of a case under legal hold
 * (the hold keeps the record exactly as the reviewers saw it).
 */
export const needsEvidenceCopy: Prisma.CandidateWhereInput = {
  evidenceCropKey: null,
  OR: [
    { disclosures: { some: { status: { in: ['pending', 'approved'] } } } },
    { adjudications: { some: { decision: 'possible_match' } } },
    { search: { case: { legalHoldAt: { not: null } } } },
  ],
};

export type EvidenceOutcome = { candidateIds: string[]; isCropMissing: boolean };

/**
 * Copies an enrolled face's crop into the evidence store for each candidate that needs it, before the
 * face's own crop is removed. The face still leaves every search at once (erasure and expiry mark it
 * first); only this copy stays, referenced from the candidate and so from the case, and it is deleted
 * with the candidate when the case's own retention runs out.
 *
 * Idempotent: the copy is content-addressed and candidates already holding one are skipped, so a run
 * killed part-way simply makes the rest next time.
 */
export async function preserveCandidateEvidence(prisma: PrismaClient, crops: CropStore, face: { id: string; cropKey: string }): Promise<EvidenceOutcome> {
  const candidates = await listCandidatesNeedingEvidence(prisma, [face.id]);
  if (candidates.length === 0) return { candidateIds: [], isCropMissing: false };
  const evidenceKey = evidenceKeyFor(face.cropKey);
  if (!evidenceKey) return { candidateIds: [], isCropMissing: true };
  return prisma.$transaction(async (tx) => {
    await lockEvidenceKey(tx, evidenceKey);
    try {
      const copied = await crops.copy(face.cropKey, 'evidence');
      if (copied.key !== evidenceKey) throw new Error(`evidence copy of ${face.cropKey} was stored as ${copied.key}`);
    } catch (error) {
      // A crop already gone (removed by hand, or erased before evidence copies existed) cannot be saved:
      // the caller records that in the audit log rather than holding up the erasure for ever.
      if (error instanceof AppError && error.code === 'NOT_FOUND') return { candidateIds: [], isCropMissing: true };
      throw error;
    }
    const ids = candidates.map((candidate) => candidate.id);
    await tx.candidate.updateMany({ where: { id: { in: ids }, evidenceCropKey: null }, data: { evidenceCropKey: evidenceKey } });
    return { candidateIds: ids, isCropMissing: false };
  });
}

export function listCandidatesNeedingEvidence(db: Db, enrolledFaceIds: string[]): Promise<{ id: string; enrolledFaceId: string }[]> {
  return db.candidate.findMany({ where: { enrolledFaceId: { in: enrolledFaceIds }, ...needsEvidenceCopy }, select: { id: true, enrolledFaceId: true } });
}

/** The evidence copy of an enrolled crop has the same content, so the same name under `evidence/`. */
export function evidenceKeyFor(enrolledCropKey: string): string | null {
  return enrolledCropKey.startsWith('enrolled/') ? `evidence/${enrolledCropKey.slice('enrolled/'.length)}` : null;
}
