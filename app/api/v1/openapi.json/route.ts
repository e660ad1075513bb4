import { guardApiRoute, jsonResponse } from '@/lib/server/api/api-response';
import { buildOpenApiDocument } from '@/lib/server/api/openapi-document';

// The contract is public (it holds no data): partners read it before they have credentials.
export const GET = guardApiRoute(async () => jsonResponse(200, buildOpenApiDocument()));
