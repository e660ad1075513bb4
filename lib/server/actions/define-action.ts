import 'server-only';
import { getPrisma } from '@/lib/server/db/database';
import { readRequestContext } from '@/lib/server/audit/request-context';
import { getCurrentActor } from '@/lib/server/auth/current-actor';
import { createActionDefiner } from './create-action-definer';

export const defineAction = createActionDefiner({ getActor: getCurrentActor, getPrisma, getRequestContext: readRequestContext });
