import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { embeddedDatabaseDir, openDatabase } from '@/lib/server/db/database';
import { buildDisclosureWorld } from '../../support/disclosure-world';

// `npm run pack:verify -- FILE` against a real data folder: the stored pack is found in the audit log
// by its SHA-256; a copy with one byte changed is not, and the command says so and exits 1.
const run = promisify(execFile);
const dataDir = mkdtempSync(join(tmpdir(), 'rfr-pack-verify-'));
process.env.DATA_DIR = dataDir;

async function packVerify(file: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run('npm', ['run', '--silent', 'pack:verify', '--', file], { env: { ...process.env, DATA_DIR: dataDir } });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('npm run pack:verify', () => {
  it('finds the approval event of the stored pack and fails for an edited copy', async () => {
    const database = await openDatabase({ pgliteDir: embeddedDatabaseDir(dataDir) });
    let packPath: string;
    let sha256: string;
    try {
      const desk = await buildDisclosureWorld(database, dataDir, 'cli');
      const s = await desk.pendingDisclosure('CLI/1');
      const approved = await desk.as(desk.world.actors.supervisor).approve({ disclosureId: s.disclosureId, rationale: 'Both reviewers agree; a proportionate lead.' });
      if (!approved.ok) throw new Error(approved.error.message);
      sha256 = approved.data.packSha256;
      packPath = join(dataDir, 'packs', `${sha256}.pdf`);
    } finally {
      await database.close();
    }

    const copy = join(dataDir, 'received-copy.pdf');
    copyFileSync(packPath, copy);
    const intact = await packVerify(copy);
    expect(intact.code, intact.output).toBe(0);
    expect(intact.output).toContain(sha256);
    expect(intact.output).toMatch(/approval\s+audit event #\d+ [0-9a-f]{64}/);
    expect(intact.output).toContain('case CLI/1');

    const edited = Buffer.from(readFileSync(copy));
    // One character of the visible text area changed: the kind of edit nobody would notice on screen.
    const middle = Math.floor(edited.length / 2);
    edited[middle] = edited[middle]! ^ 0x01;
    const editedPath = join(dataDir, 'edited-copy.pdf');
    writeFileSync(editedPath, edited);
    const broken = await packVerify(editedPath);
    expect(broken.code).toBe(1);
    expect(broken.output).toMatch(/NOT FOUND/);
    expect(broken.output).not.toContain(sha256);
  });
});
