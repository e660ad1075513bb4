import 'server-only';
import { getPrisma, type Db, type TransactionClient } from '@/lib/server/db/database';
import type { Role } from '@/lib/shared/roles';

export type UserSummary = {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  disabled: boolean;
  /** Holds a temporary password not yet replaced. */
  mustChangePassword: boolean;
  createdAt: Date;
  teamName: string | null;
};

export async function listUsers(db?: Db): Promise<UserSummary[]> {
  db ??= await getPrisma();
  const rows = await db.user.findMany({
    // API clients' service accounts are managed on the API clients page: they cannot sign in, and an
    // administrator must not be able to give one a password.
    where: { apiClient: { is: null } },
    orderBy: [{ role: 'asc' }, { email: 'asc' }],
    select: { id: true, email: true, displayName: true, role: true, disabled: true, mustChangePassword: true, createdAt: true, team: { select: { name: true } } },
  });
  return rows.map(({ team, ...user }) => ({ ...user, teamName: team?.name ?? null }));
}

export async function listTeamNames(db?: Db): Promise<string[]> {
  db ??= await getPrisma();
  return (await db.team.findMany({ orderBy: { name: 'asc' }, select: { name: true } })).map((team) => team.name);
}

/** The team of that name, created on first use: admins assign teams by name. */
export async function findOrCreateTeam(tx: TransactionClient, name: string): Promise<{ id: string; isNew: boolean }> {
  const existing = await tx.team.findUnique({ where: { name }, select: { id: true } });
  if (existing) return { id: existing.id, isNew: false };
  return { ...(await tx.team.create({ data: { name }, select: { id: true } })), isNew: true };
}

// Serialises every change that could leave no active administrator (disabling one, giving one another
// role), so two administrators demoting each other at the same moment cannot both succeed.
const ADMINISTRATORS_LOCK_KEY = 41_522_191;

export async function lockAdministrators(tx: TransactionClient): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ADMINISTRATORS_LOCK_KEY})`;
}

/** Active (not disabled) administrators other than this user: read after `lockAdministrators`. */
export async function countOtherActiveAdministrators(tx: TransactionClient, userId: string): Promise<number> {
  return tx.user.count({ where: { role: 'admin', disabled: false, id: { not: userId } } });
}
