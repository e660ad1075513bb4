import { authenticateApiCall, readOperatorHeader } from '@/lib/server/api/api-call';
import { guardApiRoute, jsonResponse } from '@/lib/server/api/api-response';
import { listClientWatchlists } from '@/lib/server/api/api-watchlists';

export const GET = guardApiRoute(async (request: Request) => {
  const authenticated = await authenticateApiCall(request, 'api.watchlists.list');
  if (!authenticated.ok) return authenticated.response;
  const { call } = authenticated;
  const watchlists = await listClientWatchlists(call.prisma, call.client);
  await call.audit({ action: 'api.watchlists.list', outcome: 'success', operatorId: readOperatorHeader(request), payload: { watchlistIds: watchlists.map((list) => list.id) } });
  return jsonResponse(200, { watchlists });
});
