import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '@/lib/server/auth/current-actor';
import type { Database } from '@/lib/server/db/database';
import { findDisclosurePackForActor } from '@/lib/server/dal/disclosures';
import { loadWholeStory } from '@/lib/server/dal/whole-story';
import { verifyPackFile } from '@/lib/server/disclosure/verify-pack';
import { packStoreFor, sha256Of } from '@/lib/server/storage/pack-store';
import { buildDisclosureWorld, NON_LATIN_NAME, type DisclosureWorld } from '../../support/disclosure-world';
import { openMemoryDatabase } from '../../support/test-database';

// The supervisor's desk through the same action specifications and wrapper the server actions use,
// on a real PostgreSQL engine (in-memory PGlite) with real crop files: who may decide, what is stored,
// what is audited, and what the disclosure pack says (read back with poppler's pdftotext).
const run = promisify(execFile);
const dataDir = mkdtempSync(join(tmpdir(), 'rfr-disclosure-'));
process.env.DATA_DIR = dataDir;
const artefacts = resolve(process.cwd(), 'tests/artifacts/disclosure');

let database: Database;
let desk: DisclosureWorld;

beforeAll(async () => {
  database = await openMemoryDatabase();
  desk = await buildDisclosureWorld(database, dataDir, 'desk');
}, 120_000);
afterAll(async () => {
  await database?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const packFiles = () => (existsSync(join(dataDir, 'packs')) ? readdirSync(join(dataDir, 'packs')).filter((name) => name.endsWith('.pdf')) : []);
const lastAudit = () => database.prisma.auditEvent.findFirstOrThrow({ orderBy: { sequence: 'desc' } });
const disclosureRow = (id: string) => database.prisma.disclosure.findUniqueOrThrow({ where: { id } });

async function pdfText(path: string): Promise<string> {
  const { stdout } = await run('pdftotext', ['-enc', 'UTF-8', path, '-']);
  return stdout;
}

describe('approving a disclosure', () => {
  it('generates the pack once, stores it under its SHA-256 and records the hash in the approval event', async () => {
    const { world } = desk;
    const s = await desk.pendingDisclosure('DESK/1');
    const negativeList = await desk.otherSearch(s.caseId, s.probeFaceId, 'no_match_in_list');
    const negativeNone = await desk.otherSearch(s.caseId, s.probeFaceId, 'no_possible_match');
    const rationale = 'Two independent reviewers agree on distinctive features; the lead is proportionate to the offence.';

    // A decision needs a written rationale; the wrong roles and another team's supervisor get nowhere.
    expect(await desk.as(world.actors.supervisor).approve({ disclosureId: s.disclosureId, rationale: '' })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(await desk.as(world.actors.supervisor).refuse({ disclosureId: s.disclosureId, rationale: 'no' })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    for (const name of ['opener', 'admin'] as const) {
      expect(await desk.as(world.actors[name]).approve({ disclosureId: s.disclosureId, rationale })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
    expect(await desk.as(world.actors.otherSupervisor).approve({ disclosureId: s.disclosureId, rationale })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await lastAudit()).toMatchObject({ action: 'disclosure.approve', outcome: 'refused', actorId: world.actors.otherSupervisor.id, payload: { code: 'NOT_FOUND', disclosureId: s.disclosureId } });
    expect(await loadWholeStory(world.actors.otherSupervisor, { disclosureId: s.disclosureId }, database.prisma)).toBeNull();
    expect(readdirSync(dataDir)).not.toContain('packs');

    const started = performance.now();
    const approved = await desk.as(world.actors.supervisor).approve({ disclosureId: s.disclosureId, rationale });
    const approvalMs = performance.now() - started;
    expect(approved.ok ? approved : approved.error).toMatchObject({ ok: true });
    if (!approved.ok) throw new Error('unreachable');

    const row = await disclosureRow(s.disclosureId);
    expect(row).toMatchObject({ status: 'approved', decidedById: world.actors.supervisor.id, decisionRationale: rationale, packSha256: approved.data.packSha256, packKey: `packs/${approved.data.packSha256}.pdf` });
    expect(packFiles()).toEqual([`${approved.data.packSha256}.pdf`]);
    const path = packStoreFor(dataDir).pathOf(row.packKey!);
    const pdf = readFileSync(path);
    expect(sha256Of(pdf)).toBe(row.packSha256);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const approval = await lastAudit();
    expect(approval).toMatchObject({ action: 'disclosure.approve', outcome: 'success', targetType: 'disclosure', targetId: s.disclosureId, payload: { packSha256: row.packSha256, rationale, searchId: s.searchId } });
    const chainHead = (approval.payload as { chainHead: { sequence: number; hash: string } }).chainHead;
    expect(BigInt(chainHead.sequence)).toBeLessThan(approval.sequence);
    expect((await database.prisma.auditEvent.findUniqueOrThrow({ where: { sequence: BigInt(chainHead.sequence) } })).hash).toBe(chainHead.hash);
    console.log(`[pack] approve with generation ${Math.round(approvalMs)} ms (render ${(approval.payload as { generationMs: number }).generationMs} ms), ${pdf.byteLength} bytes`);

    // Once: a second approval or a refusal is refused and leaves the one file as it was.
    expect(await desk.as(world.actors.supervisor).approve({ disclosureId: s.disclosureId, rationale })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(await desk.as(world.actors.supervisor).refuse({ disclosureId: s.disclosureId, rationale })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(packFiles()).toHaveLength(1);
    expect(sha256Of(readFileSync(path))).toBe(row.packSha256);
    // The database refuses to edit a decided disclosure, whoever asks.
    await expect(database.prisma.disclosure.update({ where: { id: s.disclosureId }, data: { decisionRationale: 'edited afterwards' } })).rejects.toThrow();
    // An approved lead is final: it cannot be put forward again, nor its decision corrected.
    expect(await desk.as(world.actors.opener).request({ candidateId: s.candidateIds[0], statement: 'Asking a second time for the same lead.' })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });

    // What the pack says.
    const text = (await pdfText(path)).replace(/\s+/g, ' ');
    expect(text).toContain('DESK/1');
    expect(text).toContain('Facial recognition gives an investigative lead, not an identification.');
    expect(text).toContain(NON_LATIN_NAME);
    expect(text).toContain(rationale);
    expect(text).toContain('Both reviewers saw the same scar over the left eyebrow.');
    expect(text).toContain('Identify the person on the CCTV');
    expect(text).toContain('Test basis');
    expect(text).toContain('b'.repeat(64));
    expect(text).toContain(chainHead.hash);
    expect(text).toContain(`#${chainHead.sequence}`);
    // Every other search of the case, those that found nobody included, with its outcome.
    expect(text).toContain('Every other search in this case');
    expect(text).toContain('No match in this list');
    expect(text).toContain('No possible match');
    expect(text).toMatch(/review\.commit/);
    expect(text).toMatch(/disclosure\.request/);
    expect(text).toContain('Ears: similar');
    expect(negativeList).not.toBe(negativeNone);

    // Page 1, drawn for a person to look at.
    mkdirSync(artefacts, { recursive: true });
    await run('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', path, join(artefacts, 'pack-page')]);
    await run('pdftoppm', ['-png', '-r', '60', '-f', '2', '-l', '2', path, join(artefacts, 'pack-page')]);
    writeFileSync(join(artefacts, 'pack.pdf'), pdf);
    expect(readdirSync(artefacts).some((name) => /^pack-page-0*1\.png$/.test(name))).toBe(true);

    // The pack goes to the investigator's team and its supervisors, and nobody else.
    for (const name of ['opener', 'teammate', 'thirdTeammate', 'supervisor'] as const) {
      expect(await findDisclosurePackForActor(world.actors[name], s.disclosureId, database.prisma), name).toMatchObject({ sha256: row.packSha256 });
    }
    for (const name of ['otherTeam', 'otherSupervisor', 'admin', 'noTeam'] as const) {
      expect(await findDisclosurePackForActor(world.actors[name], s.disclosureId, database.prisma), name).toBeNull();
    }

    // The stored file is found in the log; an edited copy is not.
    expect((await verifyPackFile(database.prisma, pdf)).approval).toMatchObject({ sequence: approval.sequence, disclosureId: s.disclosureId, caseReference: 'DESK/1' });
    const edited = Buffer.from(pdf);
    edited[edited.length - 10] = edited[edited.length - 10]! ^ 1;
    expect((await verifyPackFile(database.prisma, edited)).approval).toBeNull();
  });

  it('refuses a supervisor who requested the disclosure or reviewed the search, and audits the refusal', async () => {
    const { world } = desk;
    const { prisma } = database;
    // People whose role changed since they worked the search: a reviewer and a requester made supervisors.
    const promote = async (who: Actor): Promise<Actor> => {
      await prisma.user.update({ where: { id: who.id }, data: { role: 'supervisor' } });
      return { ...who, role: 'supervisor' };
    };
    const reviewed = await desk.pendingDisclosure('DESK/2', { requester: world.actors.opener });
    const asked = await desk.pendingDisclosure('DESK/3', { requester: world.actors.thirdTeammate });
    const reviewer = await promote(world.actors.teammate);
    const requester = await promote(world.actors.thirdTeammate);
    try {
      const rationale = 'I would approve this lead on what I have read.';
      expect(await desk.as(reviewer).approve({ disclosureId: reviewed.disclosureId, rationale })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      expect(await lastAudit()).toMatchObject({ action: 'disclosure.approve', outcome: 'refused', actorId: reviewer.id, payload: { code: 'FORBIDDEN', disclosureId: reviewed.disclosureId } });
      expect(await desk.as(reviewer).refuse({ disclosureId: reviewed.disclosureId, rationale })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      const refusal = await desk.as(requester).approve({ disclosureId: asked.disclosureId, rationale });
      expect(refusal).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      if (!refusal.ok) expect(refusal.error.message).toMatch(/asked for this disclosure/);
      expect(await lastAudit()).toMatchObject({ action: 'disclosure.approve', outcome: 'refused', actorId: requester.id });
      expect((await disclosureRow(reviewed.disclosureId)).status).toBe('pending');
      expect((await disclosureRow(asked.disclosureId)).status).toBe('pending');
    } finally {
      await prisma.user.updateMany({ where: { id: { in: [reviewer.id, requester.id] } }, data: { role: 'investigator' } });
    }
  });

  it('records a refusal with its rationale, generates no pack, and lets the lead be asked for again', async () => {
    const { world } = desk;
    const s = await desk.pendingDisclosure('DESK/4');
    const before = packFiles().length;
    const rationale = 'The statement does not say what the lead will be used for; ask again with that.';
    expect(await desk.as(world.actors.supervisor).refuse({ disclosureId: s.disclosureId, rationale })).toMatchObject({ ok: true });
    expect(await disclosureRow(s.disclosureId)).toMatchObject({ status: 'refused', decisionRationale: rationale, decidedById: world.actors.supervisor.id, packKey: null });
    expect(await lastAudit()).toMatchObject({ action: 'disclosure.refuse', outcome: 'success', payload: { rationale } });
    expect(packFiles()).toHaveLength(before);
    expect(await desk.as(world.actors.opener).request({ candidateId: s.candidateIds[0], statement: 'Used to trace the suspect’s movements before the assault.' })).toMatchObject({ ok: true });
  });
});

describe('resolving a dispute', () => {
  it('stores the final decision per disputed candidate, settles the search as resolved, and lets a resolved possible match go to disclosure', async () => {
    const { world } = desk;
    const s = await desk.disputedSearch('DESK/5');
    const [c1, c2] = s.candidateIds as [string, string];
    const rationale = 'At full size the ear and the scar agree; the second reviewer missed the scar under the fringe.';
    const story = await loadWholeStory(world.actors.supervisor, { disputeId: s.disputeId }, database.prisma);
    expect(story?.dispute).toMatchObject({ status: 'open', disputedCandidateIds: [c1] });

    expect(await desk.as(world.actors.otherSupervisor).resolve({ disputeId: s.disputeId, decisions: [{ candidateId: c1, decision: 'possible_match' }], rationale })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await lastAudit()).toMatchObject({ action: 'dispute.resolve', outcome: 'refused', payload: { code: 'NOT_FOUND', disputeId: s.disputeId } });
    expect(await desk.as(world.actors.opener).resolve({ disputeId: s.disputeId, decisions: [{ candidateId: c1, decision: 'possible_match' }], rationale })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    // Every disputed candidate and only those; and a rationale.
    expect(await desk.as(world.actors.supervisor).resolve({ disputeId: s.disputeId, decisions: [{ candidateId: c2, decision: 'no_match' }], rationale })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(await desk.as(world.actors.supervisor).resolve({ disputeId: s.disputeId, decisions: [{ candidateId: c1, decision: 'possible_match' }], rationale: '' })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    // Before it is resolved, the disputed candidate cannot go to disclosure.
    expect(await desk.as(world.actors.opener).request({ candidateId: c1, statement: 'Trying before the supervisor has decided.' })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });

    expect(await desk.as(world.actors.supervisor).resolve({ disputeId: s.disputeId, decisions: [{ candidateId: c1, decision: 'possible_match' }], rationale })).toMatchObject({ ok: true, data: { outcome: 'resolved' } });
    const dispute = await database.prisma.dispute.findUniqueOrThrow({ where: { id: s.disputeId } });
    expect(dispute).toMatchObject({ status: 'resolved', resolvedById: world.actors.supervisor.id, rationale, resolution: { decisions: { [c1]: 'possible_match' } } });
    expect(dispute.resolvedAt).toBeInstanceOf(Date);
    expect((await database.prisma.search.findUniqueOrThrow({ where: { id: s.searchId } })).reviewState).toBe('resolved');
    expect(await desk.as(world.actors.supervisor).resolve({ disputeId: s.disputeId, decisions: [{ candidateId: c1, decision: 'no_match' }], rationale })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    await expect(database.prisma.dispute.update({ where: { id: s.disputeId }, data: { rationale: 'edited afterwards' } })).rejects.toThrow();

    expect(await desk.as(world.actors.opener).request({ candidateId: c2, statement: 'Both said no match; this should be refused.' })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    const requested = await desk.as(world.actors.opener).request({ candidateId: c1, statement: 'Resolved by the supervisor as a possible match.' });
    expect(requested).toMatchObject({ ok: true });
    const after = await loadWholeStory(world.actors.supervisor, { disputeId: s.disputeId }, database.prisma);
    expect(after?.candidates[0]).toMatchObject({ resolution: 'possible_match', finalDecision: 'possible_match', isDisagreement: true });
  });
});
