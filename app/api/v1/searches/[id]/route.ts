import { z } from 'zod';
import { authenticateApiCall, readOperatorHeader } from '@/lib/server/api/api-call';
import { guardApiRoute, jsonResponse } from '@/lib/server/api/api-response';
import { readApiSearch } from '@/lib/server/api/api-search';
import { recordSearchView } from '@/lib/server/review/record-search-view';

const ACTION = 'api.search.read';

export const GET = guardApiRoute(async (request: Request, { params }: { params: Promise<{ id: string }> }) => {
  const authenticated = await authenticateApiCall(request, ACTION);
  if (!authenticated.ok) return authenticated.response;
  const { call } = authenticated;
  const id = z.uuid().safeParse((await params).id);
  const read = id.success ? await readApiSearch(call.prisma, call.actor, id.data) : null;
  if (!read) return call.refuse('NOT_FOUND', 'No such search for this client.', { action: ACTION, ...(id.success ? { payload: { searchId: id.data } } : {}) });
  // Reading the candidates again is a view of people's faces and names, recorded like the bench's.
  await recordSearchView(
    call.prisma,
    call.actor,
    { searchId: read.body.id, caseId: read.caseId, probeFaceId: read.probeFaceId, candidatesShown: read.body.candidates.map((candidate) => candidate.id), isIdentityShown: true, stage: null, extra: { surface: 'api_v1' } },
    call.context(readOperatorHeader(request)),
  );
  return jsonResponse(200, read.body);
});
