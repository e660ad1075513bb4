import 'server-only';
import { getPrisma, type Db } from '@/lib/server/db/database';
import { readSearchPolicy, type SearchPolicy } from '@/lib/server/settings/search-policy';
import { readSessionPolicy } from '@/lib/server/settings/session-policy';
import type { SessionPolicy } from '@/lib/shared/schemas/session-policy';
import { readRetentionPolicy, type RetentionPolicy } from '@/lib/server/retention/retention-policy';

/** The search policy as administrators last set it (defaults where unset), for the pages that show or apply it. */
export async function readSearchPolicyForPage(db?: Db): Promise<SearchPolicy> {
  return readSearchPolicy(db ?? (await getPrisma()));
}

/** The session policy (lifetime and idle timeout) as last set, defaults where unset. */
export async function readSessionPolicyForPage(db?: Db): Promise<SessionPolicy> {
  return readSessionPolicy(db ?? (await getPrisma()));
}

/** How long each kind of casework data is kept, as last set (defaults where unset). */
export async function readRetentionPolicyForPage(db?: Db): Promise<RetentionPolicy> {
  return readRetentionPolicy(db ?? (await getPrisma()));
}
