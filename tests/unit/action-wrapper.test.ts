import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { authorizeCreation, createActionDefiner } from '@/lib/server/actions/create-action-definer';
import type { Actor } from '@/lib/server/auth/current-actor';
import type { Database } from '@/lib/server/db/database';
import { verifyAuditChain } from '@/lib/server/audit/verify-audit-chain';
import { AppError } from '@/lib/shared/errors';
import { countRows, openMemoryDatabase } from '../support/test-database';

// The wrapper is exercised against a real (in-memory) PostgreSQL engine: what matters is what it
// leaves in the database and the audit log, which a mock could not show.
let database: Database;
let investigator: Actor;
let otherInvestigator: Actor;
let currentActor: Actor | null;
let teamId: string;
let otherTeamId: string;

const openCaseInput = z.object({ reference: z.string().min(3), purpose: z.string().min(10) });

function definerWith(options: { logErrors?: unknown[]; transactionTimeouts?: { maxWaitMs: number; timeoutMs: number } } = {}) {
  return createActionDefiner({
    getActor: async () => currentActor,
    getPrisma: async () => database.prisma,
    logError: (_eventId, error) => options.logErrors?.push(error),
    ...(options.transactionTimeouts ? { transactionTimeouts: options.transactionTimeouts } : {}),
  });
}

function openCaseAction(defineAction = definerWith(), failAfterWrite = false) {
  return defineAction({
    name: 'case.open',
    permission: 'case:open',
    input: openCaseInput,
    authorize: authorizeCreation,
    async run({ actor, input, tx }) {
      const created = await tx.case.create({
        data: { reference: input.reference, offence: 'Burglary', purpose: input.purpose, legalBasis: 'PACE', openedById: actor.id, teamId: actor.teamId! },
      });
      if (failAfterWrite) throw new Error('disk on fire');
      return { data: { caseId: created.id }, target: { type: 'case', id: created.id } };
    },
  });
}

const closeCaseAction = () =>
  definerWith()({
    name: 'case.close',
    permission: 'case:close',
    input: z.object({ caseId: z.string().uuid() }),
    async authorize({ actor, input, tx }) {
      const owned = await tx.case.count({ where: { id: input.caseId, teamId: actor.teamId ?? undefined } });
      if (!owned) throw new AppError('NOT_FOUND', 'No such case.');
    },
    async run({ input, tx }) {
      await tx.case.update({ where: { id: input.caseId }, data: { status: 'closed' } });
      return { data: null, target: { type: 'case', id: input.caseId } };
    },
  });

async function lastAuditEvent() {
  return database.prisma.auditEvent.findFirstOrThrow({ orderBy: { sequence: 'desc' } });
}

beforeAll(async () => {
  database = await openMemoryDatabase();
  teamId = (await database.prisma.team.create({ data: { name: 'Team one' } })).id;
  otherTeamId = (await database.prisma.team.create({ data: { name: 'Team two' } })).id;
  const make = (email: string, role: 'investigator' | 'admin', team: string) =>
    database.prisma.user.create({
      data: { email, displayName: email, role, passwordHash: 'x', teamId: team },
      select: { id: true, email: true, displayName: true, role: true, teamId: true },
    });
  investigator = await make('i1@test', 'investigator', teamId);
  otherInvestigator = await make('i2@test', 'investigator', otherTeamId);
}, 60_000);

afterAll(async () => {
  await database?.close();
});

beforeEach(() => {
  currentActor = investigator;
});

describe('action wrapper', () => {
  it('does the work and writes a success audit event in the same transaction', async () => {
    const result = await openCaseAction()({ reference: 'OP/OK/1', purpose: 'Identify the suspect in CCTV' });
    expect(result.ok).toBe(true);
    const event = await lastAuditEvent();
    expect(event).toMatchObject({ action: 'case.open', outcome: 'success', actorId: investigator.id, targetType: 'case' });
    if (result.ok) expect(event.targetId).toBe(result.data.caseId);
  });

  it('refuses an unauthenticated call, changes nothing and audits the refusal', async () => {
    currentActor = null;
    const cases = await countRows(database, 'cases');
    const result = await openCaseAction()({ reference: 'OP/ANON', purpose: 'Identify the suspect in CCTV' });
    expect(result).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect(await countRows(database, 'cases')).toBe(cases);
    expect(await lastAuditEvent()).toMatchObject({ action: 'case.open', outcome: 'refused', actorId: null });
  });

  it('refuses a role without the permission', async () => {
    currentActor = { ...investigator, role: 'admin' };
    const result = await openCaseAction()({ reference: 'OP/ADMIN', purpose: 'Identify the suspect in CCTV' });
    expect(result).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await database.prisma.case.count({ where: { reference: 'OP/ADMIN' } })).toBe(0);
    const event = await lastAuditEvent();
    expect(event).toMatchObject({ outcome: 'refused', actorRole: 'admin' });
    expect(event.payload).toMatchObject({ code: 'FORBIDDEN', permission: 'case:open' });
  });

  it('rejects malformed input with field errors, auditing field names but not the values', async () => {
    const result = await openCaseAction()({ reference: 'x', purpose: 42 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('VALIDATION');
    expect(Object.keys(result.error.fieldErrors ?? {}).sort()).toEqual(['purpose', 'reference']);
    const event = await lastAuditEvent();
    expect(JSON.stringify(event.payload)).not.toContain('"x"');
  });

  it("refuses another user's object as not found and leaves it untouched", async () => {
    currentActor = otherInvestigator;
    const created = await openCaseAction()({ reference: 'OP/THEIRS', purpose: 'Identify the suspect in CCTV' });
    if (!created.ok) throw new Error('setup failed');
    currentActor = investigator;
    const result = await closeCaseAction()({ caseId: created.data.caseId });
    expect(result).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect((await database.prisma.case.findUniqueOrThrow({ where: { id: created.data.caseId } })).status).toBe('open');
  });

  it('turns a double submit into a CONFLICT instead of a crash', async () => {
    const input = { reference: 'OP/TWICE', purpose: 'Identify the suspect in CCTV' };
    const [first, second] = [await openCaseAction()(input), await openCaseAction()(input)];
    expect(first.ok).toBe(true);
    expect(second).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(await database.prisma.case.count({ where: { reference: 'OP/TWICE' } })).toBe(1);
  });

  it('answers a transaction that ran past its time as UNAVAILABLE ("try again"), with nothing written', async () => {
    const slowOpen = definerWith({ transactionTimeouts: { maxWaitMs: 1_000, timeoutMs: 100 } })({
      name: 'case.open',
      permission: 'case:open',
      input: openCaseInput,
      authorize: authorizeCreation,
      async run({ actor, input, tx }) {
        const created = await tx.case.create({
          data: { reference: input.reference, offence: 'Burglary', purpose: input.purpose, legalBasis: 'PACE', openedById: actor.id, teamId: actor.teamId! },
        });
        // Held past the transaction's time, as a write queued behind others on a busy machine would be.
        await new Promise((resolve) => setTimeout(resolve, 400));
        await tx.case.update({ where: { id: created.id }, data: { offence: 'Robbery' } });
        return { data: { caseId: created.id }, target: { type: 'case', id: created.id } };
      },
    });
    const result = await slowOpen({ reference: 'OP/SLOW', purpose: 'Identify the suspect in CCTV' });
    expect(result).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
    if (result.ok) return;
    expect(result.error.message).toMatch(/Nothing was changed: try again/);
    expect(await database.prisma.case.count({ where: { reference: 'OP/SLOW' } })).toBe(0);
    expect(await lastAuditEvent()).toMatchObject({ action: 'case.open', outcome: 'refused', payload: { code: 'UNAVAILABLE' } });
  });

  it('rolls back partial work on an unexpected error and returns a reference id', async () => {
    const logged: unknown[] = [];
    const result = await openCaseAction(definerWith({ logErrors: logged }), true)({
      reference: 'OP/CRASH',
      purpose: 'Identify the suspect in CCTV',
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    if (result.ok) return;
    expect(result.error.message).not.toContain('disk on fire');
    expect(await database.prisma.case.count({ where: { reference: 'OP/CRASH' } })).toBe(0);
    const event = await lastAuditEvent();
    expect(event).toMatchObject({ outcome: 'error' });
    expect(event.payload).toMatchObject({ eventId: result.error.eventId });
    expect(logged).toHaveLength(1);
  });

  it('hands the result of the slow preparation to the work, and audits a refusal raised while preparing', async () => {
    const defineAction = definerWith();
    const withPreparation = (shouldRefuse: boolean) =>
      defineAction({
        name: 'case.open',
        permission: 'case:open',
        input: openCaseInput,
        async prepare({ input }) {
          if (shouldRefuse) throw new AppError('VALIDATION', 'The attached image is unreadable.');
          return { normalisedReference: input.reference.toUpperCase() };
        },
        authorize: authorizeCreation,
        async run({ actor, input, tx, prepared }) {
          const created = await tx.case.create({
            data: { reference: prepared.normalisedReference, offence: 'Theft', purpose: input.purpose, legalBasis: 'PACE', openedById: actor.id, teamId: actor.teamId! },
          });
          return { data: { reference: created.reference }, target: { type: 'case', id: created.id } };
        },
      });
    expect(await withPreparation(false)({ reference: 'op/prep', purpose: 'Identify the suspect in CCTV' })).toEqual({ ok: true, data: { reference: 'OP/PREP' } });
    const refused = await withPreparation(true)({ reference: 'op/prep2', purpose: 'Identify the suspect in CCTV' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: 'The attached image is unreadable.' } });
    expect(await lastAuditEvent()).toMatchObject({ action: 'case.open', outcome: 'refused' });
    expect(await database.prisma.case.count({ where: { reference: 'OP/PREP2' } })).toBe(0);
  });

  describe('slow work comes after the object check', () => {
    // The shape of the probe recording: prepare does the slow work on an attached file, run stores it.
    // Before the fix, prepare ran (and wrote its file) before the object check: 5 refused calls, 5 files.
    function attachAction(options: { dir: string; calls: string[]; failAfterWrite?: boolean; closeDuringPrepare?: boolean }) {
      return definerWith()({
        name: 'case.attach',
        permission: 'probe:upload',
        input: z.object({ caseId: z.string().uuid(), note: z.string() }),
        async authorize({ actor, input, tx }) {
          options.calls.push('authorize');
          const kase = await tx.case.findFirst({ where: { id: input.caseId, teamId: actor.teamId ?? undefined }, select: { status: true } });
          if (!kase) throw new AppError('NOT_FOUND', 'No such case.');
          if (kase.status !== 'open') throw new AppError('CASE_CLOSED', 'This case is closed.');
          return { caseId: input.caseId };
        },
        async prepare({ input, authorized }) {
          options.calls.push('prepare');
          if (options.closeDuringPrepare) await database.prisma.case.update({ where: { id: authorized.caseId }, data: { status: 'closed' } });
          return { bytes: Buffer.from(input.note.repeat(1000)) };
        },
        async run({ input, prepared, onRollback }) {
          options.calls.push('run');
          const file = join(options.dir, `${input.caseId}-${Math.random().toString(36).slice(2)}.bin`);
          onRollback(async () => rm(file, { force: true }));
          await writeFile(file, prepared.bytes);
          if (options.failAfterWrite) throw new Error('database went away');
          return { data: { file }, target: { type: 'case', id: input.caseId } };
        },
      });
    }

    let dir: string;
    let theirCaseId: string;
    let ourCaseId: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'wrapper-files-'));
      const make = async (reference: string, team: string, actor: Actor) =>
        (await database.prisma.case.create({ data: { reference, offence: 'Theft', purpose: 'Identify the suspect', legalBasis: 'PACE', openedById: actor.id, teamId: team } })).id;
      theirCaseId = await make('OP/FILES/THEIRS', otherTeamId, otherInvestigator);
      ourCaseId = await make('OP/FILES/OURS', teamId, investigator);
    });
    afterAll(async () => rm(dir, { recursive: true, force: true }));

    it('never runs prepare for a refused call, so a refused call leaves no file', async () => {
      const calls: string[] = [];
      const before = (await readdir(dir)).length;
      for (let attempt = 0; attempt < 5; attempt++) {
        const result = await attachAction({ dir, calls })({ caseId: theirCaseId, note: 'x' });
        expect(result).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
      }
      expect(calls).toEqual(Array(5).fill('authorize'));
      expect((await readdir(dir)).length).toBe(before);
      // The refusal is audited with the id of what was attempted.
      const event = await lastAuditEvent();
      expect(event).toMatchObject({ action: 'case.attach', outcome: 'refused' });
      expect(event.payload).toMatchObject({ code: 'NOT_FOUND', caseId: theirCaseId });
    });

    it('authorises again in the write transaction: a case closed during the slow work is still refused', async () => {
      const calls: string[] = [];
      const reopen = () => database.prisma.case.update({ where: { id: ourCaseId }, data: { status: 'open' } });
      try {
        const result = await attachAction({ dir, calls, closeDuringPrepare: true })({ caseId: ourCaseId, note: 'y' });
        expect(result).toMatchObject({ ok: false, error: { code: 'CASE_CLOSED' } });
        expect(calls).toEqual(['authorize', 'prepare', 'authorize']);
      } finally {
        await reopen();
      }
    });

    it('runs in order authorize → prepare → authorize → run, and undoes the file when the transaction fails', async () => {
      const calls: string[] = [];
      const ok = await attachAction({ dir, calls })({ caseId: ourCaseId, note: 'z' });
      expect(ok.ok).toBe(true);
      expect(calls).toEqual(['authorize', 'prepare', 'authorize', 'run']);
      const before = (await readdir(dir)).length;
      const failed = await attachAction({ dir, calls: [], failAfterWrite: true })({ caseId: ourCaseId, note: 'w' });
      expect(failed).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
      expect((await readdir(dir)).length).toBe(before);
    });
  });

  it('keeps the audit chain intact across all of the above', async () => {
    expect(await verifyAuditChain(database.prisma)).toMatchObject({ ok: true });
  });

  it('fails closed: when the audit log cannot be written, the change is not made either', async () => {
    await database.driver.exec('ALTER TABLE audit_events RENAME TO audit_events_away');
    try {
      const result = await openCaseAction()({ reference: 'OP/NOAUDIT', purpose: 'Identify the suspect in CCTV' });
      expect(result).toMatchObject({ ok: false, error: { code: 'AUDIT_UNAVAILABLE' } });
    } finally {
      await database.driver.exec('ALTER TABLE audit_events_away RENAME TO audit_events');
    }
    expect(await database.prisma.case.count({ where: { reference: 'OP/NOAUDIT' } })).toBe(0);
  });
});
