import 'server-only';
import type { PrismaClient } from '@/lib/server/generated/prisma/client';
import type { Actor } from '@/lib/server/auth/current-actor';
import { hasPermission } from '@/lib/shared/permissions';
import { whereVisible } from '@/lib/server/dal/visibility';

/**
 * The storage key of a crop this actor may see, or null. A probe crop is seen by whoever may see its
 * case (the one visibility rule). An enrolled crop is shown to administrators managing the watch-list,
 * and in casework only once it has come up as a candidate in a visible case: being able to search is
 * not a licence to browse the gallery.
 */
export async function findProbeCropKeyForActor(prisma: PrismaClient, actor: Actor, probeFaceId: string): Promise<string | null> {
  const face = await prisma.probeFace.findFirst({
    where: { id: probeFaceId, ...whereVisible(actor, 'probeFace') },
    select: { cropKey: true },
  });
  return face?.cropKey ?? null;
}

export async function findEnrolledCropKeyForActor(prisma: PrismaClient, actor: Actor, enrolledFaceId: string): Promise<string | null> {
  if (hasPermission(actor.role, 'watchlist:manage')) {
    const face = await prisma.enrolledFace.findFirst({ where: { id: enrolledFaceId, indexState: { not: 'deleted' } }, select: { cropKey: true } });
    return face?.cropKey ?? null;
  }
  const face = await prisma.enrolledFace.findFirst({
    where: { id: enrolledFaceId, indexState: { not: 'deleted' }, ...whereVisible(actor, 'enrolledFace') },
    select: { cropKey: true },
  });
  return face?.cropKey ?? null;
}

/** A candidate's enrolled crop, addressed by the candidate (not the enrolled face), for casework. */
export async function findCandidateCropKeyForActor(prisma: PrismaClient, actor: Actor, candidateId: string): Promise<string | null> {
  const candidate = await prisma.candidate.findFirst({
    where: { id: candidateId, ...whereVisible(actor, 'candidate') },
    select: { evidenceCropKey: true, enrolledFace: { select: { cropKey: true, indexState: true } } },
  });
  if (!candidate) return null;
  // Once the subject is erased the face leaves the gallery, but a lead keeps its evidence copy.
  if (candidate.enrolledFace.indexState === 'deleted') return candidate.evidenceCropKey ?? null;
  return candidate.enrolledFace.cropKey;
}
