import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireProcessLock, StoreInUseError } from '@/lib/server/db/process-lock';

describe('acquireProcessLock', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rfr-lock-'));

  it('refuses a second holder while the first is alive, and frees the lock on release', () => {
    const path = join(dir, 'a.lock');
    const release = acquireProcessLock(path);
    expect(() => acquireProcessLock(path)).toThrow(StoreInUseError);
    release();
    expect(existsSync(path)).toBe(false);
    acquireProcessLock(path)();
  });

  it('refuses a lock held by another live process', () => {
    const path = join(dir, 'b.lock');
    writeFileSync(path, String(process.ppid));
    expect(() => acquireProcessLock(path)).toThrow(/in use by process/);
  });

  it('takes over a lock left by a process that has died', () => {
    const path = join(dir, 'c.lock');
    const dead = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid;
    writeFileSync(path, String(dead));
    const release = acquireProcessLock(path);
    release();
  });
});
