import 'server-only';
import { randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { OWNER_ONLY_DIRECTORY, OWNER_ONLY_FILE } from './owner-only';

/**
 * Why a lock could not be taken: another live process holds it, or this process already does.
 * `holderPid` is the process named in the lock file.
 */
export class LockHeldError extends Error {
  constructor(
    readonly lockPath: string,
    readonly holderPid: number,
    readonly isThisProcess: boolean,
    message: string,
  ) {
    super(message);
    this.name = 'LockHeldError';
  }
}

export type ProcessLock = {
  readonly path: string;
  /** Removes the lock file if it is still this holder's; calling it again does nothing. */
  release(): void;
};

export type AcquireProcessLockOptions = {
  /** What the lock guards, for the refusal's message: "the embedded store", "the vector folder …". */
  what: string;
  /** What the user can do about a live holder, appended to the refusal's message. */
  hint?: string;
};

// The locks this process holds, by path, with the token each wrote. It is what tells "this process
// holds it" from "a file that happens to name this process's id".
const heldLocks = new Map<string, string>();

/**
 * The one lock the embedded stores (PGlite's folder, the embedded vector index) take so that one
 * process at a time writes them: a second writer on the same files would corrupt them.
 *
 * The rule, for a lock file that already exists:
 * - **held by this process** (taken here and not yet released): refused, like any other holder. Two
 *   handles on one folder in one process are two writers as surely as two processes are.
 * - **naming this process's id but not taken here**: stale, taken over. It was left by an earlier
 *   process that had the same id, which is the rule rather than the exception in a container, where
 *   the server is restarted after a crash as process 1 again.
 * - **naming another live process** (including one we may not signal, EPERM): refused.
 * - **naming a process that no longer exists** (a crash, SIGKILL): stale, taken over.
 * - **unreadable as a lock** (empty, garbage, not a process id): stale, taken over. It cannot be a
 *   lock being written: the file is created by a hard link from a complete temporary file, so it never
 *   exists without its contents.
 *
 * A takeover removes the stale file only if it still holds what was read a moment before, then takes
 * the lock the ordinary way (exclusive creation), so of two processes racing for a stale lock one
 * wins and the other is refused.
 */
export function acquireProcessLock(lockPath: string, options: AcquireProcessLockOptions): ProcessLock {
  mkdirSync(dirname(lockPath), { recursive: true, mode: OWNER_ONLY_DIRECTORY });
  if (heldLocks.has(lockPath)) {
    throw new LockHeldError(lockPath, process.pid, true, `${options.what} is already open in this process (${lockPath}); close it before opening it again.`);
  }
  const token = `${process.pid}\n${randomUUID()}\n`;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    if (createExclusively(lockPath, token)) {
      heldLocks.set(lockPath, token);
      return { path: lockPath, release: () => releaseProcessLock(lockPath, token) };
    }
    const found = readLockFile(lockPath);
    if (found === null) continue; // released meanwhile: try again
    const holderPid = parseHolderPid(found);
    if (holderPid !== null && holderPid !== process.pid && isProcessAlive(holderPid)) {
      throw new LockHeldError(
        lockPath,
        holderPid,
        false,
        `${options.what} is in use by process ${holderPid} (${lockPath}); one process at a time may open it.${options.hint ? ` ${options.hint}` : ''}`,
      );
    }
    // Stale: only if nobody replaced it since it was read.
    if (readLockFile(lockPath) === found) rmSync(lockPath, { force: true });
  }
  throw new Error(`Could not take the lock ${lockPath}: it kept changing hands.`);
}

function releaseProcessLock(lockPath: string, token: string): void {
  if (heldLocks.get(lockPath) !== token) return;
  heldLocks.delete(lockPath);
  // Someone may have removed it by hand and another process taken it since: leave theirs alone.
  if (readLockFile(lockPath) === token) rmSync(lockPath, { force: true });
}

/** Creates `path` holding `contents`, or returns false if it exists. Never leaves it half-written. */
function createExclusively(path: string, contents: string): boolean {
  const temporary = `${path}.${process.pid}.${randomUUID()}.tmp`;
  const fd = openSync(temporary, 'wx', OWNER_ONLY_FILE);
  try {
    writeSync(fd, contents);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temporary, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    rmSync(temporary, { force: true });
  }
}

function readLockFile(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** The first line as a process id, or null when the file is not a lock this module wrote. */
export function parseHolderPid(contents: string): number | null {
  const first = contents.split('\n', 1)[0]!.trim();
  if (!/^[1-9]\d{0,9}$/.test(first)) return null;
  const pid = Number(first);
  return pid <= 2 ** 31 - 1 ? pid : null;
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else, which still makes it a live holder.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
