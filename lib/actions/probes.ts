'use server';

import { defineAction } from '@/lib/server/actions/define-action';
import { recordProbeFaceSpec } from '@/lib/server/actions/specs/record-probe-face';

const recordProbeFaceAction = defineAction(recordProbeFaceSpec);

export async function recordProbeFaceForSearch(input: unknown) {
  return recordProbeFaceAction(input);
}
