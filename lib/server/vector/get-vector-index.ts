import 'server-only';
import { join } from 'node:path';
import { getConfig } from '@/lib/server/config';
import { EmbeddedVectorIndex } from '@/lib/server/vector/embedded-index';
import { QdrantVectorIndex } from '@/lib/server/vector/qdrant-index';
import type { VectorIndex } from '@/lib/server/vector/vector-index';

// Kept on globalThis, not in a module variable: Next.js dev reloads modules, and a second embedded
// instance over the same folder would be refused (it would otherwise fight the first over the files).
const INSTANCE_KEY = Symbol.for('rfr.vectorIndex');
type Holder = { [INSTANCE_KEY]?: VectorIndex };

/** The process's one vector index: Qdrant when QDRANT_URL is configured, else the embedded index. */
export function getVectorIndex(): VectorIndex {
  const holder = globalThis as Holder;
  holder[INSTANCE_KEY] ??= createVectorIndex();
  return holder[INSTANCE_KEY];
}

/** Closes and forgets the process's index (scripts before exit; tests between data folders). */
export async function closeVectorIndex(): Promise<void> {
  const holder = globalThis as Holder;
  const instance = holder[INSTANCE_KEY];
  delete holder[INSTANCE_KEY];
  await instance?.close();
}

function createVectorIndex(): VectorIndex {
  const config = getConfig();
  if (config.qdrant) {
    return new QdrantVectorIndex({
      url: config.qdrant.url,
      apiKey: config.qdrant.apiKey,
      shards: config.qdrant.shards,
      replicationFactor: config.qdrant.replicationFactor,
    });
  }
  return new EmbeddedVectorIndex({ directory: join(config.dataDir, 'vectors'), scanWorkers: config.vectorScanWorkers });
}
