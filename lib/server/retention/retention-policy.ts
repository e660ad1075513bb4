import 'server-only';
import { z } from 'zod';
import type { Db, TransactionClient } from '@/lib/server/db/database';

/**
 * The database refuses to delete an audit event younger than this, whatever the policy says (see the
 * trigger in migration 20261202071000_retention_and_hold): a misconfigured or compromised application
 * cannot wipe recent history.
 */
export const AUDIT_MINIMUM_DAYS = 365;

const days = z.number().int().min(1).max(36_500);

/**
 * How long each kind of data is kept, in days; null keeps it until something else removes it.
 * Enrolled faces are not here: each watch-list sets its own retention period when it is created.
 * A case under legal hold keeps everything, whatever these say.
 */
export const retentionPolicySchema = z.object({
  /**
   * A probe face's crop and embedding, counted from upload, when none of its searches produced a lead
   * (every search settled as "no match in this list" or "no possible match", or never searched). A
   * face behind a lead stays with its case.
   */
  probeDays: days.nullable().default(31),
  /**
   * A search that produced no lead, with its candidates, reviews and decisions, counted from when it
   * ran. Searches behind a lead (under review, confirmed, disputed, disclosed) stay with their case.
   */
  searchDays: days.nullable().default(365),
  /** A closed case with everything in it (probes, searches, reviews, disclosures, evidence), counted from closure. */
  closedCaseDays: days.nullable().default(6 * 365),
  /**
   * Audit events, counted from when they were written: the oldest are pruned as a prefix of the hash
   * chain, with a marker from which the chain is verified. Kept for ever by default.
   */
  auditDays: z.number().int().min(AUDIT_MINIMUM_DAYS).max(36_500).nullable().default(null),
});
export type RetentionPolicy = z.infer<typeof retentionPolicySchema>;
/** What an administrator submits: every field may be omitted, and then takes its default. */
export type RetentionPolicyInput = z.input<typeof retentionPolicySchema>;

export const RETENTION_POLICY_KEY = 'retention.policy';

export const DEFAULT_RETENTION_POLICY: RetentionPolicy = retentionPolicySchema.parse({});

export async function readRetentionPolicy(db: Db): Promise<RetentionPolicy> {
  const row = await db.setting.findUnique({ where: { key: RETENTION_POLICY_KEY } });
  const parsed = retentionPolicySchema.safeParse(row?.value ?? {});
  // A malformed stored policy must not delete anything early: fall back to the defaults, which only
  // ever keep data longer than a plausible typo would (and never prune the audit log).
  return parsed.success ? parsed.data : DEFAULT_RETENTION_POLICY;
}

/**
 * Validates and stores a new policy in the caller's (audited) transaction. Returns the previous and
 * the new policy, for the audit payload: a change of retention is itself evidence.
 */
export async function writeRetentionPolicy(
  tx: TransactionClient,
  policy: RetentionPolicyInput,
): Promise<{ previous: RetentionPolicy; policy: RetentionPolicy }> {
  const next = retentionPolicySchema.parse(policy);
  const previous = await readRetentionPolicy(tx);
  await tx.setting.upsert({ where: { key: RETENTION_POLICY_KEY }, create: { key: RETENTION_POLICY_KEY, value: next }, update: { value: next } });
  return { previous, policy: next };
}

/** The instant before which data of a kind kept `days` is due, or null when the kind is kept for ever. */
export function cutoffFor(days: number | null, now: Date): Date | null {
  return days === null ? null : new Date(now.getTime() - days * 86_400_000);
}
