import 'server-only';
import { randomBytes } from 'node:crypto';
import type { PrismaClient } from '@/lib/server/generated/prisma/client';
import { appendAuditEvent } from '@/lib/server/audit/append-audit-event';
import { hashPassword } from '@/lib/server/auth/passwords';
import type { Role } from '@/lib/shared/roles';
import { passwordSchema } from '@/lib/shared/schemas/user';

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

export type DemoSeeding = { isEnabled: boolean; password: string | undefined; why: string };

/**
 * Whether an empty database gets the demo users. Their e-mails are public (this file, the README), so
 * they are created only where a first start must just work, on the embedded store, or where someone
 * asked for them (`--demo`, `RFR_DEMO=1`); never silently on a DATABASE_URL, which is what
 * production runs on. `RFR_DEMO=0` turns them off on the embedded store too. A chosen password
 * obeys the rule every password does.
 */
export function decideDemoSeeding(options: {
  databaseUrl: string | undefined;
  isDemoRequested: boolean;
  env: Record<string, string | undefined>;
}): DemoSeeding {
  const flag = options.env.RFR_DEMO?.trim();
  if (flag && flag !== '0' && flag !== '1') throw new Error(`RFR_DEMO must be 1 or 0, not "${flag}".`);
  const raw = options.env.RFR_DEMO_PASSWORD;
  let password: string | undefined;
  if (raw) {
    const parsed = passwordSchema.safeParse(raw);
    if (!parsed.success) throw new Error(`RFR_DEMO_PASSWORD: ${parsed.error.issues.map((issue) => issue.message).join(' ')}`);
    password = parsed.data;
  }
  if (options.isDemoRequested || flag === '1') return { isEnabled: true, password, why: 'demo users requested' };
  if (flag === '0') return { isEnabled: false, password, why: 'RFR_DEMO=0' };
  if (options.databaseUrl) return { isEnabled: false, password, why: 'DATABASE_URL is set and no demo users were asked for (--demo or RFR_DEMO=1)' };
  return { isEnabled: true, password, why: 'embedded store' };
}

/**
 * On an empty database, creates the demo team and its users. Passwords are random unless `password`
 * is given (tests), and are returned so the caller can print them once: only their hashes are stored.
 */
export async function seedDemoUsers(prisma: PrismaClient, options: { password?: string | undefined } = {}): Promise<SeededUser[]> {
  if (options.password !== undefined) passwordSchema.parse(options.password);
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
