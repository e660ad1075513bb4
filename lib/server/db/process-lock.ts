import 'server-only';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { OWNER_ONLY_DIRECTORY, OWNER_ONLY_FILE } from '@/lib/server/storage/owner-only';

export class StoreInUseError extends Error {
  constructor(
    readonly lockPath: string,
    readonly ownerPid: number,
  ) {
    super(
      `The embedded store is in use by process ${ownerPid} (${lockPath}). PGlite serves one process at a time: ` +
        'stop the running server first (or enrol through the admin pages), or use PostgreSQL via DATABASE_URL.',
    );
    this.name = 'StoreInUseError';
  }
}

/**
 * Takes an exclusive, process-wide lock on an embedded store. PGlite keeps the whole database in one
 * process; a second process opening the same folder would corrupt it, so it is refused instead. A
 * lock left by a process that no longer exists (a crash, SIGKILL) is taken over.
 */
export function acquireProcessLock(lockPath: string): () => void {
  mkdirSync(dirname(lockPath), { recursive: true, mode: OWNER_ONLY_DIRECTORY });
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const fd = openSync(lockPath, 'wx', OWNER_ONLY_FILE);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const ownerPid = Number(readFileSync(lockPath, 'utf8').trim());
      if (ownerPid === process.pid) throw new StoreInUseError(lockPath, ownerPid);
      if (Number.isInteger(ownerPid) && ownerPid > 0 && isAlive(ownerPid)) throw new StoreInUseError(lockPath, ownerPid);
      rmSync(lockPath, { force: true });
    }
  }
  throw new Error(`Could not take the lock ${lockPath}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
