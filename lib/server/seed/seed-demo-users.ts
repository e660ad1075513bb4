import 'server-only';
import { randomBytes } from 'node:crypto';
import type { PrismaClient } from '@/lib/server/generated/prisma/client';
import { appendAuditEvent } from '@/lib/server/audit/append-audit-event';
import { hashPassword } from '@/lib/server/auth/passwords';
import { ROLES, ROLE_LABELS, type Role } from '@/lib/shared/roles';

export type SeededUser = { email: string; role: Role; password: string };

export function demoEmail(role: Role): string {
  return `${role}@demo.local`;
}

/**
 * On an empty database, creates one demo user per role. Passwords are random unless `password` is
 * given (tests), and are returned so the caller can print them once: only their hashes are stored.
 */
export async function seedDemoUsers(prisma: PrismaClient, options: { password?: string } = {}): Promise<SeededUser[]> {
  if ((await prisma.user.count()) > 0) return [];
  const seeded = await Promise.all(
    ROLES.map(async (role) => {
      const password = options.password ?? randomBytes(12).toString('base64url');
      return { email: demoEmail(role), role, password, passwordHash: await hashPassword(password) };
    }),
  );
  await prisma.$transaction(async (tx) => {
    for (const user of seeded) {
      await tx.user.create({
        data: { email: user.email, displayName: `Demo ${ROLE_LABELS[user.role]}`, role: user.role, passwordHash: user.passwordHash },
      });
    }
    await appendAuditEvent(tx, {
      actorId: null,
      actorRole: 'system',
      action: 'system.seed_demo_users',
      outcome: 'success',
      payload: { emails: seeded.map((user) => user.email) },
    });
  });
  return seeded.map(({ email, role, password }) => ({ email, role, password }));
}
