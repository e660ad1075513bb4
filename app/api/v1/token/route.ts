import { handleTokenRequest } from '@/lib/server/api/api-token-endpoint';
import { guardApiRoute } from '@/lib/server/api/api-response';

export const POST = guardApiRoute(handleTokenRequest);
