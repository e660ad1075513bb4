'use server';

import { defineAction } from '@/lib/server/actions/define-action';
import { runSearchSpec } from '@/lib/server/actions/specs/run-search';

export const runSearch = defineAction(runSearchSpec);
