import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordAuditEvent } from '@/lib/server/audit/append-audit-event';
import { ANCHOR_PUBLIC_KEY_FILE, writeAuditAnchor } from '@/lib/server/audit/audit-anchor';
import { exportAuditLogToString, type AuditExportFilter } from '@/lib/server/audit/export-audit-log';
import type { Database } from '@/lib/server/db/database';
import { openMemoryDatabase } from '../../support/test-database';

// The export is checked by a script that shares no code with the server (scripts/verify-audit-export.mjs):
// if both compute the same hashes, the canonical encoding is specified well enough for anyone to do so.
const run = promisify(execFile);
let database: Database;
let dataDir: string;
let userA: string;
let userB: string;
let caseId: string;

async function verifyExport(data: unknown, extra: string[] = []): Promise<{ code: number; output: string }> {
  const file = join(dataDir, `export-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, typeof data === 'string' ? data : JSON.stringify(data));
  try {
    const { stdout, stderr } = await run(process.execPath, ['scripts/verify-audit-export.mjs', file, ...extra]);
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

const exportJson = async (filter?: AuditExportFilter) => JSON.parse(await exportAuditLogToString(database.prisma, { format: 'json', dataDir, filter }));

beforeAll(async () => {
  database = await openMemoryDatabase();
  dataDir = mkdtempSync(join(tmpdir(), 'rfr-export-'));
  const { prisma } = database;
  const team = await prisma.team.create({ data: { name: 'Export team' } });
  const make = (email: string) => prisma.user.create({ data: { email, displayName: email, role: 'investigator', passwordHash: 'x', teamId: team.id } });
  userA = (await make('a@export.test')).id;
  userB = (await make('b@export.test')).id;
  caseId = (await prisma.case.create({ data: { reference: 'EXP/1', offence: 'Theft', purpose: 'Identify', legalBasis: 'Test', openedById: userA, teamId: team.id } })).id;
  // Payloads with what a canonical encoder can get wrong: small and large numbers, -0, unicode, nesting.
  const payloads = [
    { caseId, rawScore: 0.7123456789, fmr: 1e-7, big: 12345678901234, negativeZero: -0, name: 'Łukasz Ωmega “quoted”, comma', nested: { z: 1, a: [true, null, 'x'] } },
    { caseId, note: 'line\nbreak\ttab', emoji: '🙂' },
    { other: 'no case', list: [] },
    {},
  ];
  for (const [index, payload] of payloads.entries()) {
    await recordAuditEvent(prisma, {
      actorId: index % 2 ? userB : userA,
      actorRole: 'investigator',
      action: index === 3 ? 'auth.sign_in' : 'case.note',
      outcome: index === 2 ? 'refused' : 'success',
      targetType: index === 3 ? 'account' : 'case',
      targetId: index === 3 ? '=HYPERLINK("http://x")' : index < 2 ? caseId : null,
      payload,
      request: { ip: '192.0.2.1', userAgent: '+cmd|" /C calc' },
    });
  }
  await writeAuditAnchor(prisma, { dataDir });
});
afterAll(async () => {
  await database?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('audit export', () => {
  it('exports JSON that the standalone script verifies, checkpoint and all', async () => {
    const data = await exportJson();
    expect(data).toMatchObject({ format: 'rfr-audit-export/1', isComplete: true, checkpoint: { sequence: '4' } });
    expect(data.events).toHaveLength(4);
    expect(data.events[0]).toMatchObject({ sequence: '1', prevHash: '0'.repeat(64), hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(data.events[0].canonicalPayload).toMatch(/^\{"big":12345678901234,"caseId":/);
    const verified = await verifyExport(data, ['--public-key', join(dataDir, ANCHOR_PUBLIC_KEY_FILE)]);
    expect(verified).toMatchObject({ code: 0, output: expect.stringMatching(/audit export intact: 4 events \(complete\)/) });
    expect(verified.output).toMatch(/checkpoint .* \(event 4\) verified and matched/);
  });

  it('fails, naming the record, when one record in the file is edited', async () => {
    const data = await exportJson();
    // An edit of the readable payload alone…
    const edited = structuredClone(data);
    edited.events[1].payload.note = 'something else';
    expect(await verifyExport(edited)).toMatchObject({ code: 1, output: expect.stringMatching(/BROKEN at event 2: payload differs/) });
    // …and of both forms consistently: the hash gives it away.
    const consistent = structuredClone(data);
    consistent.events[2].outcome = 'success';
    expect(await verifyExport(consistent)).toMatchObject({ code: 1, output: expect.stringMatching(/BROKEN at event 3: content does not match its hash/) });
    // A record left out of a complete export is a gap.
    const removed = structuredClone(data);
    removed.events.splice(1, 1);
    expect(await verifyExport(removed)).toMatchObject({ code: 1, output: expect.stringMatching(/BROKEN at event 2: is missing/) });
    // The newest events cut off a complete export: the checkpoint still vouches for them.
    const cut = structuredClone(data);
    cut.events.pop();
    expect(await verifyExport(cut)).toMatchObject({ code: 1, output: expect.stringMatching(/BROKEN at event 4: and after are missing/) });
    // A re-signed checkpoint does not pass the independently held key.
    const forged = structuredClone(data);
    forged.checkpoint.sequence = '3';
    expect(await verifyExport(forged)).toMatchObject({ code: 1, output: expect.stringMatching(/checkpoint: signature does not match/) });
    expect(await verifyExport('{"format": "something"')).toMatchObject({ code: 2 });
  });

  it('filters by user, case, action, outcome and time, and the filtered file still verifies', async () => {
    expect((await exportJson({ actorId: userB })).events.map((event: { sequence: string }) => event.sequence)).toEqual(['2', '4']);
    expect((await exportJson({ caseId })).events.map((event: { sequence: string }) => event.sequence)).toEqual(['1', '2']);
    expect((await exportJson({ action: 'auth.sign_in' })).events.map((event: { sequence: string }) => event.sequence)).toEqual(['4']);
    expect((await exportJson({ outcome: 'refused' })).events.map((event: { sequence: string }) => event.sequence)).toEqual(['3']);
    expect((await exportJson({ from: new Date(Date.now() + 60_000) })).events).toEqual([]);
    const filtered = await exportJson({ actorId: userB });
    expect(filtered.isComplete).toBe(false);
    expect(await verifyExport(filtered)).toMatchObject({ code: 0, output: expect.stringMatching(/gap\(s\) between events: expected, the export is filtered[\s\S]*intact: 2 events \(filtered\)/) });
  });

  it('exports CSV with the hashes, the canonical payload and the request, safe to open in a spreadsheet', async () => {
    const csv = await exportAuditLogToString(database.prisma, { format: 'csv', dataDir });
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('sequence,createdAt,actorId,actorRole,action,outcome,targetType,targetId,ip,userAgent,prevHash,hash,payload');
    expect(lines).toHaveLength(6);
    const signIn = lines[4]!;
    expect(signIn).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect(signIn).toContain(`"'+cmd|"" /C calc"`);
    expect(signIn).toContain(',192.0.2.1,');
    const data = await exportJson();
    expect(lines[1]).toContain(data.events[0].hash);
    expect(lines[1]).toContain(`"${data.events[0].canonicalPayload.replaceAll('"', '""')}"`);
    expect(readFileSync(join(dataDir, ANCHOR_PUBLIC_KEY_FILE), 'utf8')).toContain('PUBLIC KEY');
  });
});
