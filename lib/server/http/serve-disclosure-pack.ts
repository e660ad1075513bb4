import 'server-only';
import { z } from 'zod';
import { recordAuditEvent } from '@/lib/server/audit/append-audit-event';
import { getConfig } from '@/lib/server/config';
import { getPrisma } from '@/lib/server/db/database';
import { getCurrentActor } from '@/lib/server/auth/current-actor';
import { findDisclosurePackForActor } from '@/lib/server/dal/disclosures';
import { packStoreFor, sha256Of } from '@/lib/server/storage/pack-store';

const notFound = () => Response.json({ error: { code: 'NOT_FOUND', message: 'No such disclosure pack.' } }, { status: 404 });

/**
 * Serves an approved disclosure's pack to whoever may see the disclosure (one visibility rule); every
 * one else gets the same 404 whether it exists or not. Every download is audited, and so is every
 * refused request for a well-formed id: who took a copy of the evidence, and who tried to.
 */
export async function serveDisclosurePack(id: string): Promise<Response> {
  const actor = await getCurrentActor();
  if (!actor) return Response.json({ error: { code: 'UNAUTHENTICATED', message: 'Sign in first.' } }, { status: 401 });
  const parsed = z.string().uuid().safeParse(id);
  if (!parsed.success) return notFound();
  const prisma = await getPrisma();
  const audit = (outcome: 'success' | 'refused' | 'error', payload: Record<string, unknown>, isTargeted: boolean) =>
    recordAuditEvent(prisma, {
      actorId: actor.id,
      actorRole: actor.role,
      action: 'disclosure.pack_download',
      outcome,
      ...(isTargeted ? { targetType: 'disclosure', targetId: parsed.data } : {}),
      payload,
    });

  const pack = await findDisclosurePackForActor(actor, parsed.data, prisma);
  if (!pack) {
    await audit('refused', { code: 'NOT_FOUND', disclosureId: parsed.data }, false);
    return notFound();
  }
  const pdf = await packStoreFor(getConfig().dataDir)
    .read(pack.key)
    .catch(() => null);
  // The stored file must still be the one the approval recorded; a changed or missing file is not served.
  if (!pdf || sha256Of(pdf) !== pack.sha256) {
    await audit('error', { code: pdf ? 'PACK_ALTERED' : 'PACK_MISSING', packSha256: pack.sha256, caseId: pack.caseId, searchId: pack.searchId }, true);
    return Response.json({ error: { code: 'INTERNAL', message: 'The stored pack is missing or does not match its recorded SHA-256; it is not served.' } }, { status: 500 });
  }
  await audit('success', { packSha256: pack.sha256, caseId: pack.caseId, searchId: pack.searchId, candidateId: pack.candidateId }, true);
  const name = `disclosure-pack-${pack.caseReference.replace(/[^A-Za-z0-9._-]+/g, '-')}-${pack.sha256.slice(0, 12)}.pdf`;
  return new Response(new Uint8Array(pdf), {
    headers: {
      'content-type': 'application/pdf',
      'content-disposition': `attachment; filename="${name}"`,
      'content-length': String(pdf.byteLength),
      // Evidence about real people: never kept in shared caches, nor by the browser after the session.
      'cache-control': 'private, no-store',
      'cross-origin-resource-policy': 'same-origin',
      'x-content-sha256': pack.sha256,
    },
  });
}
