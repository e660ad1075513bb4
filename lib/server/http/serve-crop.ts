import 'server-only';
import { z } from 'zod';
import { getConfig } from '@/lib/server/config';
import { getPrisma } from '@/lib/server/db/database';
import type { PrismaClient } from '@/lib/server/generated/prisma/client';
import { getCurrentActor, type Actor } from '@/lib/server/auth/current-actor';
import { cropStoreFor } from '@/lib/server/storage/crop-store';

type FindKey = (prisma: PrismaClient, actor: Actor, id: string) => Promise<string | null>;

/** Serves one face crop to an actor allowed to see it; everyone else gets the same 404. */
export async function serveCrop(id: string, findKey: FindKey): Promise<Response> {
  const actor = await getCurrentActor();
  if (!actor) return Response.json({ error: { code: 'UNAUTHENTICATED', message: 'Sign in first.' } }, { status: 401 });
  const parsed = z.string().uuid().safeParse(id);
  const key = parsed.success ? await findKey(await getPrisma(), actor, parsed.data) : null;
  if (!key) return Response.json({ error: { code: 'NOT_FOUND', message: 'No such crop.' } }, { status: 404 });
  const png = await cropStoreFor(getConfig().dataDir).read(key);
  return new Response(new Uint8Array(png), {
    headers: {
      'content-type': 'image/png',
      // Faces of real people: never kept in shared caches, and not kept by the browser after the session.
      'cache-control': 'private, no-store',
      'cross-origin-resource-policy': 'same-origin',
    },
  });
}
