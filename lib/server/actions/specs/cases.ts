import 'server-only';
import { authorizeCreation, specifyAction } from '@/lib/server/actions/create-action-definer';
import { openCaseForActor } from '@/lib/server/dal/cases';
import { openCaseSchema } from '@/lib/shared/schemas/case';

/** Opening a case: from the workstation's form, and for a new reference given to /api/v1 searches. */
export const openCaseSpec = specifyAction({
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
