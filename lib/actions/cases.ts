'use server';

import { revalidatePath } from 'next/cache';
import { composeAction } from '@/lib/server/actions/create-action-definer';
import { defineAction } from '@/lib/server/actions/define-action';
import { openCaseSpec } from '@/lib/server/actions/specs/cases';
import { requireCaseForActor } from '@/lib/server/dal/cases';
import { AppError } from '@/lib/shared/errors';
import { caseIdSchema } from '@/lib/shared/schemas/case';
import { legalHoldInputSchema, placeLegalHold, releaseLegalHold } from '@/lib/server/retention/legal-hold';

const openCaseAction = defineAction(openCaseSpec);

export const openCase = composeAction(openCaseAction, { onSuccess: () => revalidatePath('/cases') });

const closeCaseAction = defineAction({
  name: 'case.close',
  permission: 'case:close',
  input: caseIdSchema,
  async authorize({ actor, input, tx }) {
    const found = await requireCaseForActor(tx, actor, input.caseId);
    if (found.status === 'closed') throw new AppError('CASE_CLOSED', 'This case is already closed.');
  },
  async run({ input, tx }) {
    await tx.case.update({ where: { id: input.caseId }, data: { status: 'closed', closedAt: new Date() } });
    return { data: { caseId: input.caseId }, target: { type: 'case', id: input.caseId } };
  },
});

export const closeCase = composeAction(closeCaseAction, { onSuccess: (_data, input) => revalidatePath(`/cases/${(input as { caseId: string }).caseId}`) });

// A legal hold suspends every retention deletion of the case's data. The team's investigators place and
// release it on their own case; both are audited with the reason (and, on release, the hold released).
const placeLegalHoldAction = defineAction({
  name: 'case.place_legal_hold',
  permission: 'case:close',
  input: legalHoldInputSchema,
  async authorize({ actor, input, tx }) {
    await requireCaseForActor(tx, actor, input.caseId);
  },
  async run({ actor, input, tx }) {
    const change = await placeLegalHold(tx, actor, input);
    return { data: { caseId: input.caseId }, target: { type: 'case', id: input.caseId }, auditPayload: { caseId: input.caseId, reason: change.reason } };
  },
});

export const placeCaseLegalHold = composeAction(placeLegalHoldAction, { onSuccess: (_data, input) => revalidatePath(`/cases/${(input as { caseId: string }).caseId}`) });

const releaseLegalHoldAction = defineAction({
  name: 'case.release_legal_hold',
  permission: 'case:close',
  input: legalHoldInputSchema,
  async authorize({ actor, input, tx }) {
    await requireCaseForActor(tx, actor, input.caseId);
  },
  async run({ actor, input, tx }) {
    const change = await releaseLegalHold(tx, actor, input);
    return {
      data: { caseId: input.caseId },
      target: { type: 'case', id: input.caseId },
      auditPayload: { caseId: input.caseId, reason: change.reason, released: change.released ? { ...change.released, heldAt: change.released.heldAt.toISOString() } : null },
    };
  },
});

export const releaseCaseLegalHold = composeAction(releaseLegalHoldAction, { onSuccess: (_data, input) => revalidatePath(`/cases/${(input as { caseId: string }).caseId}`) });
