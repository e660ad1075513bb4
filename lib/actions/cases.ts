'use server';

import { revalidatePath } from 'next/cache';
import { authorizeCreation } from '@/lib/server/actions/create-action-definer';
import { defineAction } from '@/lib/server/actions/define-action';
import { openCaseForActor, requireCaseForActor } from '@/lib/server/dal/cases';
import { AppError } from '@/lib/shared/errors';
import { caseIdSchema, openCaseSchema } from '@/lib/shared/schemas/case';

const openCaseAction = defineAction({
  name: 'case.open',
  permission: 'case:open',
  input: openCaseSchema,
  authorize: authorizeCreation,
  async run({ actor, input, tx }) {
    const created = await openCaseForActor(tx, actor, input);
    return {
      data: { caseId: created.id },
      target: { type: 'case', id: created.id },
      auditPayload: { reference: input.reference, offence: input.offence, purpose: input.purpose, legalBasis: input.legalBasis },
    };
  },
});

export async function openCase(input: unknown) {
  const result = await openCaseAction(input);
  if (result.ok) revalidatePath('/cases');
  return result;
}

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

export async function closeCase(input: unknown) {
  const result = await closeCaseAction(input);
  if (result.ok) revalidatePath(`/cases/${(input as { caseId: string }).caseId}`);
  return result;
}
