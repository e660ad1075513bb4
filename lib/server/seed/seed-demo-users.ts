import 'server-only';
import { randomBytes } from 'node:crypto';
import type { PrismaClient } from '@/lib/server/generated/prisma/client';
import { appendAuditEvent } from '@/lib/server/audit/append-audit-event';
import { hashPassword } from '@/lib/server/auth/passwords';
import type { Role } from '@/lib/shared/roles';

export type SeededUser = { email: string; role: Role; password: string };

export const DEMO_TEAM = 'Demo investigations team';

/** The demo users: one per role, plus a second investigator of the same team for the blind second review. */
const DEMO_USERS: { email: string; role: Role; displayName: string; isTeamMember: boolean }[] = [
  { email: 'investigator@demo.local', role: 'investigator', displayName: 'Demo Investigator', isTeamMember: true },
  { email: 'reviewer@demo.local', role: 'investigator', displayName: 'Demo Reviewer', isTeamMember: true },
  { email: 'supervisor@demo.local', role: 'supervisor', displayName: 'Demo Supervisor', isTeamMember: true },
  { email: 'admin@demo.local', role: 'admin', displayName: 'Demo Administrator', isTeamMember: false },
];

export function demoEmail(role: Role): string {
  return `${role}@demo.local`;
}

/**
 * On an empty database, creates the demo team and its users. Passwords are random unless `password`
 * is given (tests), and are returned so the caller can print them once: only their hashes are stored.
 */
export async function seedDemoUsers(prisma: PrismaClient, options: { password?: string } = {}): Promise<SeededUser[]> {
  if ((await prisma.user.count()) > 0) return [];
  const seeded = await Promise.all(
    DEMO_USERS.map(async (user) => {
      const password = options.password ?? randomBytes(12).toString('base64url');
      return { ...user, password, passwordHash: await hashPassword(password) };
    }),
  );
  await prisma.$transaction(async (tx) => {
    const team = await tx.team.create({ data: { name: DEMO_TEAM }, select: { id: true } });
    for (const user of seeded) {
      await tx.user.create({
        data: {
          email: user.email,
          displayName: user.displayName,
          role: user.role,
          passwordHash: user.passwordHash,
          teamId: user.isTeamMember ? team.id : null,
        },
      });
    }
    await appendAuditEvent(tx, {
      actorId: null,
      actorRole: 'system',
      action: 'system.seed_demo_users',
      outcome: 'success',
      targetType: 'team',
      targetId: team.id,
      payload: { team: DEMO_TEAM, emails: seeded.map((user) => user.email) },
    });
  });
  return seeded.map(({ email, role, password }) => ({ email, role, password }));
}
