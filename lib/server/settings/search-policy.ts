import 'server-only';
import { z } from 'zod';
import type { TransactionClient } from '@/lib/server/db/database';
import type { PrismaClient } from '@/lib/server/generated/prisma/client';
import { DEFAULT_LIST_SIZE, MAX_LIST_SIZE } from '@/lib/shared/schemas/search';
import { QUALITY_VERDICTS } from '@/lib/shared/schemas/probe';

// Set by administrators (the `settings` table); these are the defaults when nothing is set.
const searchPolicySchema = z.object({
  listSize: z.number().int().min(1).max(MAX_LIST_SIZE).default(DEFAULT_LIST_SIZE),
  minimumQuality: z.enum(QUALITY_VERDICTS).default('usable'),
  /**
   * Candidates are shown without name, reference or score while the first reviewer decides, so the
   * decision rests on the faces. On by default; the second review is always blind, whatever this says.
   */
  isFirstReviewBlind: z.boolean().default(true),
});
export type SearchPolicy = z.infer<typeof searchPolicySchema>;

export const SEARCH_POLICY_KEY = 'search.policy';

export async function writeSearchPolicy(tx: TransactionClient, policy: SearchPolicy): Promise<void> {
  await tx.setting.upsert({ where: { key: SEARCH_POLICY_KEY }, create: { key: SEARCH_POLICY_KEY, value: policy }, update: { value: policy } });
}

export async function readSearchPolicy(db: PrismaClient | TransactionClient): Promise<SearchPolicy> {
  const row = await db.setting.findUnique({ where: { key: SEARCH_POLICY_KEY } });
  const parsed = searchPolicySchema.safeParse(row?.value ?? {});
  // A malformed stored policy must not silently loosen anything: fall back to the defaults.
  return parsed.success ? parsed.data : searchPolicySchema.parse({});
}
