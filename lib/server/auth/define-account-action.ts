import 'server-only';
import { getPrisma } from '@/lib/server/db/database';
import { createActionDefiner } from '@/lib/server/actions/create-action-definer';
import { readRequestContext } from '@/lib/server/audit/request-context';
import { getAccountHolder } from './current-actor';

/**
 * The action wrapper for what a user does to their own account (replace their password, dismiss the
 * sign-in notice). The same wrapper as every other action, with one difference: it accepts a session
 * opened with a temporary password, which `defineAction` refuses (such a session may do nothing else).
 */
export const defineAccountAction = createActionDefiner({ getActor: getAccountHolder, getPrisma, getRequestContext: readRequestContext });
