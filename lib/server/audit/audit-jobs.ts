import 'server-only';
import { getConfig } from '@/lib/server/config';
import { getPrisma } from '@/lib/server/db/database';
import { writeAuditAnchor } from './audit-anchor';
import { closeCropViewLog } from './crop-view-log';

// The server's own audit housekeeping: a signed checkpoint of the chain's head at start, every ten
// minutes and at shutdown (after the last buffered crop views are written, so the checkpoint covers
// them). At most ten minutes of events can therefore be deleted without a checkpoint giving it away.

export const ANCHOR_INTERVAL_MS = 10 * 60 * 1000;
const SHUTDOWN_LIMIT_MS = 5_000;

export async function anchorAuditLog(): Promise<void> {
  const result = await writeAuditAnchor(await getPrisma(), { dataDir: getConfig().dataDir });
  if (result.written) console.log(`[audit] checkpoint: event ${result.written.sequence} at ${result.written.time}`);
}

const anchorLoudly = () => anchorAuditLog().catch((error: unknown) => console.error('[audit] CHECKPOINT FAILED; will retry:', error));

/** Flushes the crop views and writes a last checkpoint. */
export async function shutDownAuditJobs(): Promise<void> {
  await closeCropViewLog();
  await anchorLoudly();
}

const holder = globalThis as typeof globalThis & { __rfrAuditJobs?: NodeJS.Timeout };

/**
 * Starts the checkpoints. When the server was started with NEXT_MANUAL_SIG_HANDLE (npm start sets it),
 * Next.js leaves SIGTERM and SIGINT to the application: they are taken here, so that the buffered crop
 * views and the last checkpoint are written before the process exits.
 */
export function startAuditJobs(): void {
  if (holder.__rfrAuditJobs) return;
  void anchorLoudly();
  holder.__rfrAuditJobs = setInterval(anchorLoudly, ANCHOR_INTERVAL_MS);
  holder.__rfrAuditJobs.unref();
  if (!process.env.NEXT_MANUAL_SIG_HANDLE) return;
  for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
    process.once(signal, () => {
      console.log(`[audit] ${signal}: writing the last crop views and a checkpoint before exit`);
      const finished = shutDownAuditJobs().then(() => true);
      const timedOut = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), SHUTDOWN_LIMIT_MS).unref());
      void Promise.race([finished, timedOut])
        .then((isDone) => {
          if (!isDone) console.error(`[audit] SHUTDOWN TIMED OUT after ${SHUTDOWN_LIMIT_MS} ms: buffered crop views or the last checkpoint may not have been written`);
        })
        .finally(() => process.exit(code));
    });
  }
}
