import 'server-only';
import type { PrismaClient } from '@/lib/server/generated/prisma/client';
import type { TransactionClient } from '@/lib/server/db/database';
import type { Role } from '@/lib/shared/roles';

export type UserSummary = { id: string; email: string; displayName: string; role: Role; disabled: boolean; createdAt: Date; teamName: string | null };

export async function listUsers(prisma: PrismaClient): Promise<UserSummary[]> {
  const rows = await prisma.user.findMany({
    orderBy: [{ role: 'asc' }, { email: 'asc' }],
    select: { id: true, email: true, displayName: true, role: true, disabled: true, createdAt: true, team: { select: { name: true } } },
  });
  return rows.map(({ team, ...user }) => ({ ...user, teamName: team?.name ?? null }));
}

export async function listTeamNames(prisma: PrismaClient): Promise<string[]> {
  return (await prisma.team.findMany({ orderBy: { name: 'asc' }, select: { name: true } })).map((team) => team.name);
}

/** The team of that name, created on first use: admins assign teams by name. */
export async function findOrCreateTeam(tx: TransactionClient, name: string): Promise<{ id: string; isNew: boolean }> {
  const existing = await tx.team.findUnique({ where: { name }, select: { id: true } });
  if (existing) return { id: existing.id, isNew: false };
  return { ...(await tx.team.create({ data: { name }, select: { id: true } })), isNew: true };
}
