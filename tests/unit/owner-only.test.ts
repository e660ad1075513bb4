import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensurePrivateDataDir, restrictTree, UnsafeDataDirError } from '@/lib/server/storage/owner-only';

// The data folder's check at start: created private, refused when others can write to it (its
// contents may have been changed), tightened when others could only read it.
const root = mkdtempSync(join(tmpdir(), 'rfr-owner-only-'));
const mode = (path: string) => statSync(path).mode & 0o777;
let savedMask: number;

beforeEach(() => {
  savedMask = process.umask(0o022);
});
afterEach(() => {
  process.umask(savedMask);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function folder(name: string, folderMode: number, files: Record<string, number> = {}): string {
  const path = join(root, name);
  mkdirSync(path);
  for (const [file, fileMode] of Object.entries(files)) {
    writeFileSync(join(path, file), 'x');
    chmodSync(join(path, file), fileMode);
  }
  chmodSync(path, folderMode);
  return path;
}

describe('ensurePrivateDataDir', () => {
  it('creates a missing data folder 0700 whatever the umask', () => {
    const path = join(root, 'fresh', 'data');
    expect(ensurePrivateDataDir(path)).toEqual({ isCreated: true, tightened: 0 });
    expect(mode(path)).toBe(0o700);
  });

  it('refuses a folder anyone can write to, and says how to fix it', () => {
    const path = folder('world-writable', 0o777);
    expect(() => ensurePrivateDataDir(path)).toThrow(UnsafeDataDirError);
    expect(() => ensurePrivateDataDir(path)).toThrow(/can be written by other users \(mode 777\)[\s\S]*chmod -R go-rwx/);
    expect(mode(path)).toBe(0o777);
  });

  it('refuses a folder its group can write to', () => {
    expect(() => ensurePrivateDataDir(folder('group-writable', 0o770))).toThrow(/mode 770/);
  });

  it('refuses a readable folder holding a file others could have changed (an old PGlite store)', () => {
    const path = folder('old-store', 0o755, { 'pg_control': 0o666, 'crop.png': 0o644 });
    expect(() => ensurePrivateDataDir(path)).toThrow(/1 file\(s\) or folder\(s\)[\s\S]*pg_control, mode 666/);
    expect(mode(join(path, 'crop.png'))).toBe(0o644);
  });

  it('tightens a folder others could only read, losing nothing', () => {
    const path = folder('readable', 0o755, { 'auth-secret': 0o600, 'crop.png': 0o644 });
    expect(ensurePrivateDataDir(path)).toEqual({ isCreated: false, tightened: 2 });
    expect([mode(path), mode(join(path, 'crop.png')), mode(join(path, 'auth-secret'))]).toEqual([0o700, 0o600, 0o600]);
    expect(ensurePrivateDataDir(path)).toEqual({ isCreated: false, tightened: 0 });
  });

  it.skipIf(process.getuid?.() !== 0)('refuses a folder that belongs to another user', () => {
    const path = folder('someone-else', 0o700);
    chownSync(path, 65534, 65534);
    expect(() => ensurePrivateDataDir(path)).toThrow(/belongs to user id 65534/);
  });
});

describe('restrictTree', () => {
  it('takes group and other access off every file and folder below', () => {
    const path = folder('tree', 0o755, { a: 0o666 });
    mkdirSync(join(path, 'sub'), { mode: 0o777 });
    chmodSync(join(path, 'sub'), 0o777);
    writeFileSync(join(path, 'sub', 'b'), 'x', { mode: 0o644 });
    expect(restrictTree(path)).toBe(4);
    expect([mode(path), mode(join(path, 'a')), mode(join(path, 'sub')), mode(join(path, 'sub', 'b'))]).toEqual([0o700, 0o600, 0o700, 0o600]);
  });
});
