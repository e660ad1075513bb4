'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/server/actions/define-action';
import { createApiClientSpec, revokeApiClientSpec, rotateApiClientSecretSpec } from '@/lib/server/actions/specs/api-clients';

// API clients for /api/v1; the same specs run from `npm run api:client`.

const createApiClientAction = defineAction(createApiClientSpec);
const revokeApiClientAction = defineAction(revokeApiClientSpec);
const rotateApiClientSecretAction = defineAction(rotateApiClientSecretSpec);

/** The secret is in the result once, and nowhere else. */
export async function createApiClient(input: unknown) {
  const result = await createApiClientAction(input);
  if (result.ok) revalidatePath('/admin/api-clients');
  return result;
}

export async function revokeApiClient(input: unknown) {
  const result = await revokeApiClientAction(input);
  if (result.ok) revalidatePath('/admin/api-clients');
  return result;
}

export async function rotateApiClientSecret(input: unknown) {
  const result = await rotateApiClientSecretAction(input);
  if (result.ok) revalidatePath('/admin/api-clients');
  return result;
}
