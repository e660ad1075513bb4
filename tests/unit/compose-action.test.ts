import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { authorizeCreation, composeAction, createActionDefiner, isDefinedAction } from '@/lib/server/actions/create-action-definer';
import type { Actor } from '@/lib/server/auth/current-actor';
import type { Database } from '@/lib/server/db/database';
import { openMemoryDatabase } from '../support/test-database';

// What a 'use server' export may put around a wrapped action (read a form, follow a success), run
// against the real wrapper on an in-memory PostgreSQL engine.
let database: Database;
let investigator: Actor;
let currentActor: Actor | null;

const defineAction = createActionDefiner({ getActor: async () => currentActor, getPrisma: async () => database.prisma, logError: () => {} });

const openCaseAction = defineAction({
  name: 'case.open',
  permission: 'case:open',
  input: z.object({ reference: z.string().min(3) }),
  authorize: authorizeCreation,
  async run({ actor, input, tx }) {
    const created = await tx.case.create({
      data: { reference: input.reference, offence: 'Burglary', purpose: 'Identify the suspect in CCTV', legalBasis: 'PACE', openedById: actor.id, teamId: actor.teamId! },
    });
    return { data: { caseId: created.id }, target: { type: 'case', id: created.id } };
  },
});

beforeAll(async () => {
  database = await openMemoryDatabase();
  const team = await database.prisma.team.create({ data: { name: 'Team one' } });
  investigator = await database.prisma.user.create({
    data: { email: 'i1@test', displayName: 'i1', role: 'investigator', passwordHash: 'x', teamId: team.id },
    select: { id: true, email: true, displayName: true, role: true, teamId: true },
  });
}, 60_000);

afterAll(async () => {
  await database?.close();
});

describe('composeAction', () => {
  it('reads the input, runs the wrapped action, then follows the success with the data and what was sent', async () => {
    currentActor = investigator;
    const successes: unknown[] = [];
    const openFromForm = composeAction(openCaseAction, {
      readInput: (form: FormData) => ({ reference: form.get('reference') }),
      onSuccess: (data, form) => void successes.push([data.caseId, form.get('reference')]),
    });
    const form = new FormData();
    form.set('reference', 'OP/FORM/1');
    const result = await openFromForm(form);
    expect(result.ok).toBe(true);
    expect(successes).toEqual([[result.ok ? result.data.caseId : null, 'OP/FORM/1']]);
    expect(isDefinedAction(openFromForm)).toBe(true);
  });

  it('does not follow a refusal: the wrapper refused, audited it, and nothing else runs', async () => {
    currentActor = null;
    const successes: unknown[] = [];
    const shaped: unknown[] = [];
    const open = composeAction(openCaseAction, {
      onSuccess: () => void successes.push('ran'),
      after: (result) => {
        shaped.push(result.ok);
        return { ...result, shaped: true };
      },
    });
    const result = await open({ reference: 'OP/ANON/1' });
    expect(result).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' }, shaped: true });
    expect(successes).toEqual([]);
    expect(shaped).toEqual([false]);
    expect(await database.prisma.case.count({ where: { reference: 'OP/ANON/1' } })).toBe(0);
    expect(await database.prisma.auditEvent.findFirstOrThrow({ orderBy: { sequence: 'desc' } })).toMatchObject({ action: 'case.open', outcome: 'refused' });
  });

  it('refuses, as the module loads, to wrap a function the definer did not make', () => {
    const lookalike = async (input: unknown) => ({ ok: true as const, data: input });
    expect(isDefinedAction(lookalike)).toBe(false);
    expect(() => composeAction(lookalike, {})).toThrow(/only an action made by the action definer/);
  });
});
