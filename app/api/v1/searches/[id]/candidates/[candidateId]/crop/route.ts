import { serveApiCrop } from '@/lib/server/api/api-crops';
import { guardApiRoute } from '@/lib/server/api/api-response';

export const GET = guardApiRoute(async (request: Request, { params }: { params: Promise<{ id: string; candidateId: string }> }) => {
  const { id, candidateId } = await params;
  return serveApiCrop(request, { searchId: id, candidateId });
});
