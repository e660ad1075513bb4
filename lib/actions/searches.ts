'use server';

import { defineAction } from '@/lib/server/actions/define-action';
import { runSearchSpec } from '@/lib/server/actions/specs/run-search';

const runSearchAction = defineAction(runSearchSpec);

export async function runSearch(input: unknown) {
  return runSearchAction(input);
}
