import 'server-only';
import type { TransactionClient } from '@/lib/server/db/database';
import type { PrismaClient } from '@/lib/server/generated/prisma/client';
import type { CropStore } from '@/lib/server/storage/crop-store';

const LIVE = { in: ['pending' as const, 'indexed' as const] };

/**
 * Erasure starts in the database: the subject (or the whole watch-list) is marked deleted and its faces
 * move to `deleting`, in the caller's transaction with its audit event. From that moment searches no
 * longer return them (the search checks the database), even before the vector index has caught up.
 */
export async function markSubjectForErasure(tx: TransactionClient, subjectId: string): Promise<number> {
  const now = new Date();
  await tx.subject.update({ where: { id: subjectId }, data: { deletedAt: now } });
  const faces = await tx.enrolledFace.updateMany({ where: { subjectId, indexState: LIVE }, data: { indexState: 'deleting' } });
  return faces.count;
}

export async function markWatchlistForErasure(tx: TransactionClient, watchlistId: string): Promise<number> {
  const now = new Date();
  await tx.watchlist.update({ where: { id: watchlistId }, data: { deletedAt: now } });
  await tx.subject.updateMany({ where: { watchlistId, deletedAt: null }, data: { deletedAt: now } });
  const faces = await tx.enrolledFace.updateMany({ where: { watchlistId, indexState: LIVE }, data: { indexState: 'deleting' } });
  return faces.count;
}

/**
 * Once the index has dropped them, erased faces keep only their audit-relevant metadata: the embedding
 * is overwritten and the crop file removed. Past searches still name the subject and the scores, but
 * the face itself is gone.
 */
export async function purgeErasedFaceData(prisma: PrismaClient, crops: CropStore, enrolledFaceIds: string[]): Promise<void> {
  if (enrolledFaceIds.length === 0) return;
  const faces = await prisma.enrolledFace.findMany({ where: { id: { in: enrolledFaceIds }, indexState: 'deleted' }, select: { id: true, cropKey: true } });
  await prisma.enrolledFace.updateMany({ where: { id: { in: faces.map((face) => face.id) } }, data: { embedding: new Uint8Array(0) } });
  // A crop is content-addressed: the same image enrolled in another list shares the file.
  for (const face of faces) {
    const stillUsed = await prisma.enrolledFace.count({ where: { cropKey: face.cropKey, indexState: { not: 'deleted' } } });
    if (!stillUsed) await crops.remove(face.cropKey);
  }
}
