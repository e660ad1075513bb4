import 'server-only';
import { getConfig } from '@/lib/server/config';
import { getPrisma } from '@/lib/server/db/database';
import { cropStoreFor } from '@/lib/server/storage/crop-store';
import { packStoreFor } from '@/lib/server/storage/pack-store';
import { getVectorIndex } from '@/lib/server/vector/get-vector-index';
import { runRetention, type RetentionReport } from './run-retention';

const holder = globalThis as typeof globalThis & { __rfrRetentionRun?: Promise<RetentionReport> };

/**
 * The retention job on this process's own stores (the server's hourly sweep). A run still going when
 * the next is due is joined, not doubled.
 */
export function runRetentionJob(): Promise<RetentionReport> {
  holder.__rfrRetentionRun ??= (async () => {
    try {
      const { dataDir } = getConfig();
      return await runRetention({ prisma: await getPrisma(), index: getVectorIndex(), crops: cropStoreFor(dataDir), packs: packStoreFor(dataDir) });
    } finally {
      holder.__rfrRetentionRun = undefined;
    }
  })();
  return holder.__rfrRetentionRun;
}
