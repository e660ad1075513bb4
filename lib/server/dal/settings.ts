import 'server-only';
import { getPrisma, type Db } from '@/lib/server/db/database';
import { readSearchPolicy, type SearchPolicy } from '@/lib/server/settings/search-policy';

/** The search policy as administrators last set it (defaults where unset), for the pages that show or apply it. */
export async function readSearchPolicyForPage(db?: Db): Promise<SearchPolicy> {
  return readSearchPolicy(db ?? (await getPrisma()));
}
