import 'server-only';
import { z } from 'zod';
import { getConfig } from '@/lib/server/config';
import { getPrisma } from '@/lib/server/db/database';
import type { PrismaClient } from '@/lib/server/generated/prisma/client';
import { getCropViewLog, type CropKind } from '@/lib/server/audit/crop-view-log';
import { readRequestContext } from '@/lib/server/audit/request-context';
import { getCurrentActor, type Actor } from '@/lib/server/auth/current-actor';
import { cropStoreFor } from '@/lib/server/storage/crop-store';

type FindKey = (prisma: PrismaClient, actor: Actor, id: string) => Promise<string | null>;

/**
 * Serves one face crop to an actor allowed to see it; everyone else gets the same 404. Every crop
 * served, and every refused request for a well-formed id, is audited: batched per viewer into one
 * `crop.view` event every few seconds (see crop-view-log).
 */
export async function serveCrop(options: { id: string; kind: CropKind; findKey: FindKey }): Promise<Response> {
  const actor = await getCurrentActor();
  if (!actor) return Response.json({ error: { code: 'UNAUTHENTICATED', message: 'Sign in first.' } }, { status: 401 });
  const parsed = z.string().uuid().safeParse(options.id);
  const key = parsed.success ? await options.findKey(await getPrisma(), actor, parsed.data) : null;
  const view = async (outcome: 'success' | 'refused') =>
    getCropViewLog().record({ actor: { id: actor.id, role: actor.role }, request: await readRequestContext(), kind: options.kind, id: parsed.data!, outcome });
  if (!key) {
    if (parsed.success) await view('refused');
    return Response.json({ error: { code: 'NOT_FOUND', message: 'No such crop.' } }, { status: 404 });
  }
  const png = await cropStoreFor(getConfig().dataDir).read(key);
  await view('success');
  return new Response(new Uint8Array(png), {
    headers: {
      'content-type': 'image/png',
      // Faces of real people: never kept in shared caches, and not kept by the browser after the session.
      'cache-control': 'private, no-store',
      'cross-origin-resource-policy': 'same-origin',
    },
  });
}
