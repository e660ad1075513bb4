import 'server-only';
import type { Db, TransactionClient } from '@/lib/server/db/database';
import { DEFAULT_SESSION_POLICY, sessionPolicySchema, type SessionPolicy } from '@/lib/shared/schemas/session-policy';

export const SESSION_POLICY_KEY = 'session.policy';

export async function readSessionPolicy(db: Db): Promise<SessionPolicy> {
  const row = await db.setting.findUnique({ where: { key: SESSION_POLICY_KEY } });
  const parsed = sessionPolicySchema.safeParse(row?.value ?? {});
  // A malformed stored policy must not lengthen sessions: fall back to the defaults.
  return parsed.success ? parsed.data : DEFAULT_SESSION_POLICY;
}

/** Stores a validated policy in the caller's (audited) transaction; returns what it replaced. */
export async function writeSessionPolicy(tx: TransactionClient, policy: SessionPolicy): Promise<{ previous: SessionPolicy; next: SessionPolicy }> {
  const previous = await readSessionPolicy(tx);
  await tx.setting.upsert({ where: { key: SESSION_POLICY_KEY }, create: { key: SESSION_POLICY_KEY, value: policy }, update: { value: policy } });
  return { previous, next: policy };
}
