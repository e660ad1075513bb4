import 'server-only';
import { z } from 'zod';
import { getCropViewLog, type CropKind } from '@/lib/server/audit/crop-view-log';
import { getConfig } from '@/lib/server/config';
import { findCandidateCropKeyForActor, findProbeCropKeyForActor } from '@/lib/server/dal/face-crops';
import { cropStoreFor } from '@/lib/server/storage/crop-store';
import { authenticateApiCall, readOperatorHeader } from './api-call';

const ACTION = 'api.crop.read';

/**
 * A face crop of one of this client's searches: the probe's, or a candidate's. The same keys and the
 * same crop-view audit as the workstation (batched `crop.view` events, here carrying the client and
 * the officer); anything else is 404, whether it does not exist or belongs to someone else.
 */
export async function serveApiCrop(request: Request, target: { searchId: string; candidateId?: string }): Promise<Response> {
  const authenticated = await authenticateApiCall(request, ACTION);
  if (!authenticated.ok) return authenticated.response;
  const { call } = authenticated;
  const ids = z.object({ searchId: z.uuid(), candidateId: z.uuid().optional() }).safeParse(target);
  const notFound = () => call.refuse('NOT_FOUND', 'No such crop for this client.', { action: ACTION, ...(ids.success ? { payload: ids.data } : {}) });
  if (!ids.success) return notFound();
  const search = await call.prisma.search.findFirst({ where: { id: ids.data.searchId, actorId: call.actor.id }, select: { probeFaceId: true, candidates: { where: { id: ids.data.candidateId ?? '00000000-0000-0000-0000-000000000000' }, select: { id: true } } } });
  if (!search || (ids.data.candidateId && search.candidates.length === 0)) return notFound();
  const kind: CropKind = ids.data.candidateId ? 'candidate' : 'probe_face';
  const id = ids.data.candidateId ?? search.probeFaceId;
  const key = ids.data.candidateId ? await findCandidateCropKeyForActor(call.prisma, call.actor, id) : await findProbeCropKeyForActor(call.prisma, call.actor, id);
  const view = (outcome: 'success' | 'refused') => getCropViewLog().record({ actor: { id: call.actor.id, role: call.actor.role }, request: call.context(readOperatorHeader(request)), kind, id, outcome });
  const png = key ? await cropStoreFor(getConfig().dataDir).read(key).catch(() => null) : null;
  if (!png) {
    await view('refused');
    return notFound();
  }
  await view('success');
  return new Response(new Uint8Array(png), { headers: { 'content-type': 'image/png', 'cache-control': 'private, no-store' } });
}
