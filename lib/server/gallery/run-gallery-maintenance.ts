import 'server-only';
import { getConfig } from '@/lib/server/config';
import { getPrisma } from '@/lib/server/db/database';
import { expireFaces } from '@/lib/server/retention/expire-faces';
import { cropStoreFor } from '@/lib/server/storage/crop-store';
import { getVectorIndex } from '@/lib/server/vector/get-vector-index';
import { syncVectorIndex, type SyncReport } from './sync-vector-index';

/** Retention sweep, then bring the index up to date (including erasures). Safe to run any time. */
export async function runGalleryMaintenance(): Promise<SyncReport & { expired: number }> {
  const prisma = await getPrisma();
  const expired = await expireFaces(prisma);
  const report = await syncVectorIndex(prisma, getVectorIndex(), cropStoreFor(getConfig().dataDir));
  return { ...report, expired };
}
