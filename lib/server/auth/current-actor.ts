import 'server-only';
import { cache } from 'react';
import { z } from 'zod';
import { getPrisma } from '@/lib/server/db/database';
import type { Role } from '@/lib/shared/roles';
import { auth } from './auth';

export type Actor = { id: string; email: string; displayName: string; role: Role; teamId: string | null };

const sessionUserId = z.string().uuid();

/**
 * The signed-in user as the database sees them now. The session cookie only names the user: the role
 * and the disabled flag are read afresh on every request, so disabling an account or changing a role
 * takes effect at once, and a session claiming another role gains nothing.
 */
export const getCurrentActor = cache(async (): Promise<Actor | null> => {
  const session = await auth();
  const id = sessionUserId.safeParse(session?.user?.id);
  if (!id.success) return null;
  const prisma = await getPrisma();
  const user = await prisma.user.findUnique({
    where: { id: id.data },
    select: { id: true, email: true, displayName: true, role: true, teamId: true, disabled: true },
  });
  if (!user || user.disabled) return null;
  return { id: user.id, email: user.email, displayName: user.displayName, role: user.role, teamId: user.teamId };
});
