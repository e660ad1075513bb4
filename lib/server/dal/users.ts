import 'server-only';
import type { PrismaClient } from '@/lib/server/generated/prisma/client';
import type { Role } from '@/lib/shared/roles';

export type UserSummary = { id: string; email: string; displayName: string; role: Role; disabled: boolean; createdAt: Date };

export function listUsers(prisma: PrismaClient): Promise<UserSummary[]> {
  return prisma.user.findMany({
    orderBy: [{ role: 'asc' }, { email: 'asc' }],
    select: { id: true, email: true, displayName: true, role: true, disabled: true, createdAt: true },
  });
}
