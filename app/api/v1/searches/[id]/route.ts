import { z } from 'zod';
import { authenticateApiCall, readOperatorHeader } from '@/lib/server/api/api-call';
import { guardApiRoute, jsonResponse } from '@/lib/server/api/api-response';
import { readApiSearch, recordApiSearchView } from '@/lib/server/api/api-search';

const ACTION = 'api.search.read';

export const GET = guardApiRoute(async (request: Request, { params }: { params: Promise<{ id: string }> }) => {
  const authenticated = await authenticateApiCall(request, ACTION);
  if (!authenticated.ok) return authenticated.response;
  const { call } = authenticated;
  const id = z.uuid().safeParse((await params).id);
  const read = id.success ? await readApiSearch(call.prisma, call.actor, id.data) : null;
  if (!read) return call.refuse('NOT_FOUND', 'No such search for this client.', { action: ACTION, ...(id.success ? { payload: { searchId: id.data } } : {}) });
  await recordApiSearchView(call, read, readOperatorHeader(request));
  return jsonResponse(200, read.body);
});
