'use server';

import { composeAction } from '@/lib/server/actions/create-action-definer';
import { defineAction } from '@/lib/server/actions/define-action';
import { recordProbeFaceSpec } from '@/lib/server/actions/specs/record-probe-face';
import { readProbeFaceForm } from '@/lib/server/probes/read-probe-face-form';

const recordProbeFaceAction = defineAction(recordProbeFaceSpec);

/**
 * Records the chosen face of a still in a case. Takes the form built by `buildProbeFaceFormData`
 * (lib/shared/schemas/probe.ts): `payload`, a JSON string `{ caseId, idempotencyKey, still, face }`,
 * and `crop`, the aligned 112×112 face crop as a PNG or JPEG file. The server re-embeds the crop and
 * measures its quality itself before anything is stored.
 */
export const recordProbeFaceForSearch = composeAction(recordProbeFaceAction, { readInput: (formData: FormData) => readProbeFaceForm(formData) });
