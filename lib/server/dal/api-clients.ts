import 'server-only';
import { describeClient, listApiClientRecords } from '@/lib/server/api/api-clients';
import { getPrisma, type Db } from '@/lib/server/db/database';

export type ApiClientRow = ReturnType<typeof describeClient> & { watchlists: { id: string; name: string }[]; createdAt: Date };

/** Every registered client with its allowed lists by name, for the admin console (never a secret or its digest). */
export async function listApiClients(db?: Db): Promise<ApiClientRow[]> {
  db ??= await getPrisma();
  const clients = await listApiClientRecords(db);
  const lists = await db.watchlist.findMany({ where: { id: { in: [...new Set(clients.flatMap((client) => client.watchlistIds))] } }, select: { id: true, name: true } });
  return clients.map((client) => ({
    ...describeClient(client),
    createdAt: client.createdAt,
    watchlists: client.watchlistIds.map((id) => ({ id, name: lists.find((list) => list.id === id)?.name ?? '(deleted list)' })),
  }));
}
