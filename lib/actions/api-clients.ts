'use server';

import { revalidatePath } from 'next/cache';
import { composeAction } from '@/lib/server/actions/create-action-definer';
import { defineAction } from '@/lib/server/actions/define-action';
import { createApiClientSpec, revokeApiClientSpec, rotateApiClientSecretSpec } from '@/lib/server/actions/specs/api-clients';

// API clients for /api/v1; the same specs run from `npm run api:client`.

const createApiClientAction = defineAction(createApiClientSpec);
const revokeApiClientAction = defineAction(revokeApiClientSpec);
const rotateApiClientSecretAction = defineAction(rotateApiClientSecretSpec);

const refreshPage = { onSuccess: () => revalidatePath('/admin/api-clients') };

/** The secret is in the result once, and nowhere else. */
export const createApiClient = composeAction(createApiClientAction, refreshPage);
export const revokeApiClient = composeAction(revokeApiClientAction, refreshPage);
export const rotateApiClientSecret = composeAction(rotateApiClientSecretAction, refreshPage);
