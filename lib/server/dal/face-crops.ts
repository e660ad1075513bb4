import 'server-only';
import type { PrismaClient } from '@/lib/server/generated/prisma/client';
import type { Actor } from '@/lib/server/auth/current-actor';
import { hasPermission } from '@/lib/shared/permissions';

/**
 * The storage key of a crop this actor may see, or null. A probe crop belongs to its case (the
 * investigator who opened it). An enrolled crop is shown to administrators managing the watch-list,
 * and to an investigator only once it has come up as a candidate in a search of one of their cases:
 * being able to search is not a licence to browse the gallery.
 */
export async function findProbeCropKeyForActor(prisma: PrismaClient, actor: Actor, probeFaceId: string): Promise<string | null> {
  if (!hasPermission(actor.role, 'search:review')) return null;
  const face = await prisma.probeFace.findFirst({
    where: { id: probeFaceId, probe: { case: { openedById: actor.id } } },
    select: { cropKey: true },
  });
  return face?.cropKey ?? null;
}

export async function findEnrolledCropKeyForActor(prisma: PrismaClient, actor: Actor, enrolledFaceId: string): Promise<string | null> {
  if (hasPermission(actor.role, 'watchlist:manage')) {
    const face = await prisma.enrolledFace.findFirst({ where: { id: enrolledFaceId, indexState: { not: 'deleted' } }, select: { cropKey: true } });
    return face?.cropKey ?? null;
  }
  if (!hasPermission(actor.role, 'search:review')) return null;
  const face = await prisma.enrolledFace.findFirst({
    where: {
      id: enrolledFaceId,
      indexState: { not: 'deleted' },
      candidates: { some: { search: { case: { openedById: actor.id } } } },
    },
    select: { cropKey: true },
  });
  return face?.cropKey ?? null;
}
