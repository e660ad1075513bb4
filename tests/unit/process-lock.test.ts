import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireProcessLock, LockHeldError, parseHolderPid } from '@/lib/server/storage/process-lock';

const dir = mkdtempSync(join(tmpdir(), 'rfr-lock-'));
const what = { what: 'The test store' };
let counter = 0;
const freshPath = () => join(dir, `lock-${(counter += 1)}.lock`);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function refusal(path: string): LockHeldError {
  try {
    acquireProcessLock(path, what);
  } catch (error) {
    expect(error).toBeInstanceOf(LockHeldError);
    return error as LockHeldError;
  }
  throw new Error(`the lock ${path} was granted`);
}

describe('acquireProcessLock', () => {
  it('refuses a second holder in this same process, and grants it again once released', () => {
    const path = freshPath();
    const lock = acquireProcessLock(path, what);
    const error = refusal(path);
    expect(error.isThisProcess).toBe(true);
    expect(error.message).toMatch(/already open in this process/);
    expect(readFileSync(path, 'utf8').split('\n')[0]).toBe(String(process.pid));
    lock.release();
    expect(existsSync(path)).toBe(false);
    acquireProcessLock(path, what).release();
  });

  it('takes over a file naming this process that this process did not take (an earlier process with the same id)', () => {
    const path = freshPath();
    writeFileSync(path, `${process.pid}\n`);
    const lock = acquireProcessLock(path, what);
    expect(readFileSync(path, 'utf8')).not.toBe(`${process.pid}\n`);
    lock.release();
  });

  it('refuses a lock held by another live process, names it, and leaves its file alone', async () => {
    const path = freshPath();
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => holder.once('spawn', resolve));
      writeFileSync(path, `${holder.pid}\nsomeone-else\n`);
      const error = refusal(path);
      expect(error.isThisProcess).toBe(false);
      expect(error.holderPid).toBe(holder.pid);
      expect(error.message).toContain(`in use by process ${holder.pid}`);
      expect(readFileSync(path, 'utf8')).toBe(`${holder.pid}\nsomeone-else\n`);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('takes over a lock left by a process that has died', () => {
    const path = freshPath();
    const dead = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid;
    writeFileSync(path, `${dead}\n`);
    const lock = acquireProcessLock(path, what);
    expect(readFileSync(path, 'utf8').split('\n')[0]).toBe(String(process.pid));
    lock.release();
  });

  it.each([
    ['empty', ''],
    ['text', 'not a pid'],
    ['zero', '0'],
    ['negative', '-1'],
    ['too large', '99999999999'],
    ['binary', '\u0000\u0001\u0002'],
  ])('takes over a lock file holding garbage (%s)', (_label, contents) => {
    const path = freshPath();
    writeFileSync(path, contents);
    acquireProcessLock(path, what).release();
    expect(existsSync(path)).toBe(false);
  });

  it('releases once, writes the file owner-only, leaves no temporary files, and never removes a lock that is no longer its own', () => {
    const path = freshPath();
    const lock = acquireProcessLock(path, what);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    // Removed by hand and taken by someone else meanwhile: release must not take their lock away.
    writeFileSync(path, '1\nsomeone-else\n');
    lock.release();
    expect(readFileSync(path, 'utf8')).toBe('1\nsomeone-else\n');
    lock.release();
    rmSync(path);
  });

  it('reads only a plain positive process id from the first line', () => {
    expect(parseHolderPid('123\ntoken\n')).toBe(123);
    expect(parseHolderPid(' 42 ')).toBe(42);
    expect(parseHolderPid('12abc')).toBeNull();
    expect(parseHolderPid('1e3')).toBeNull();
    expect(parseHolderPid('')).toBeNull();
  });
});
