import 'server-only';
import { chmodSync, lstatSync, mkdirSync, readdirSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';

// Everything under DATA_DIR is evidence or a key to it: face crops, embeddings, the database, the
// session-signing secret. Only the account the workstation runs as may read or change any of it, so
// every folder is created 0700 and every file 0600. The modes are given explicitly where files are
// created (a umask of 022, the usual default, would otherwise leave them readable by every local
// user), and the process's umask is narrowed too, for what other libraries create on their own.

export const OWNER_ONLY_DIRECTORY = 0o700;
export const OWNER_ONLY_FILE = 0o600;

const GROUP_OR_OTHER = 0o077;
const GROUP_OR_OTHER_WRITE = 0o022;

/** From now on this process creates nothing that the group or others can read, whatever umask it started with. */
export function restrictFileCreationMask(): void {
  try {
    process.umask(0o077);
  } catch {
    // Worker threads may not change the process's umask; the explicit modes still apply there.
  }
}

/**
 * Takes group and other permissions off every folder and file under `root` (symbolic links are left
 * alone: their target is what counts, and it is visited where it lives). Returns how many it changed.
 * PGlite's initdb writes its ~1000 files 0666 whatever the umask, so the embedded store is passed
 * through this every time it is opened.
 */
export function restrictTree(root: string): number {
  let changed = 0;
  const visit = (path: string, info: Stats) => {
    if (info.isSymbolicLink()) return;
    if ((info.mode & GROUP_OR_OTHER) !== 0) {
      chmodSync(path, info.mode & 0o700);
      changed += 1;
    }
    if (info.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name), lstatSync(join(path, name)));
  };
  visit(root, statSync(root));
  return changed;
}

export class UnsafeDataDirError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeDataDirError';
  }
}

export type DataDirCheck = { isCreated: boolean; tightened: number };

/**
 * Creates DATA_DIR owner-only, or checks the existing one before anything is read from it. A folder
 * that another user can write to (or that belongs to another user) is refused: whoever can write
 * there could have replaced the database, the crops or the session key, so its contents cannot be
 * trusted without a person looking. A folder others could only read (made by an earlier version
 * under umask 022) is tightened in place, which loses nothing.
 */
export function ensurePrivateDataDir(dataDir: string): DataDirCheck {
  let info: Stats;
  try {
    info = statSync(dataDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    mkdirSync(dataDir, { recursive: true, mode: OWNER_ONLY_DIRECTORY });
    chmodSync(dataDir, OWNER_ONLY_DIRECTORY);
    return { isCreated: true, tightened: 0 };
  }
  if (!info.isDirectory()) throw new UnsafeDataDirError(`DATA_DIR ${dataDir} is not a folder.`);
  const uid = process.getuid?.();
  if (uid !== undefined && info.uid !== uid) {
    throw new UnsafeDataDirError(
      `The data folder ${dataDir} belongs to user id ${info.uid}, not to the user this runs as (${uid}). ` +
        'Run the workstation as the folder’s owner, or give it to this user (chown -R) once you have checked its contents.',
    );
  }
  const fix = `If you trust its contents, make it private with:\n    chmod -R go-rwx ${quote(dataDir)}\nand start again.`;
  if ((info.mode & GROUP_OR_OTHER_WRITE) !== 0) {
    throw new UnsafeDataDirError(
      `The data folder ${dataDir} can be written by other users (mode ${octal(info.mode)}), so the database, crops and keys in it ` +
        `cannot be trusted. ${fix}`,
    );
  }
  if ((info.mode & GROUP_OR_OTHER) === 0) return { isCreated: false, tightened: 0 };

  // Others could enter the folder: anything inside that they could also write may have been changed.
  const writable = findWritableByOthers(dataDir);
  if (writable.count > 0) {
    throw new UnsafeDataDirError(
      `${writable.count} file(s) or folder(s) in the data folder ${dataDir} can be written by other users ` +
        `(for example ${writable.first}, mode ${octal(writable.firstMode)}), so its contents cannot be trusted. ${fix}`,
    );
  }
  return { isCreated: false, tightened: restrictTree(dataDir) };
}

function findWritableByOthers(root: string): { count: number; first: string; firstMode: number } {
  const found = { count: 0, first: '', firstMode: 0 };
  const visit = (path: string) => {
    for (const name of readdirSync(path)) {
      const child = join(path, name);
      const info = lstatSync(child);
      if (info.isSymbolicLink()) continue;
      if ((info.mode & GROUP_OR_OTHER_WRITE) !== 0) {
        if (found.count === 0) Object.assign(found, { first: child, firstMode: info.mode });
        found.count += 1;
      }
      if (info.isDirectory()) visit(child);
    }
  };
  visit(root);
  return found;
}

function octal(mode: number): string {
  return (mode & 0o777).toString(8).padStart(3, '0');
}

function quote(path: string): string {
  return /^[\w./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}
