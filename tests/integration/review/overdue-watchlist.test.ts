import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Database } from '@/lib/server/db/database';
import { authorizeFaceSearch } from '@/lib/server/search/run-face-search';
import { readSearchPolicy } from '@/lib/server/settings/search-policy';
import { runSearchSchema } from '@/lib/shared/schemas/search';
import { buildCaseworkFixture, type CaseworkFixture } from '../../support/casework-fixture';
import { openMemoryDatabase } from '../../support/test-database';

// A watch-list past its review date may no longer be justified: searching it needs an acknowledgement.
let database: Database;
let world: CaseworkFixture;
beforeAll(async () => {
  database = await openMemoryDatabase();
  world = await buildCaseworkFixture(database, 'overdue');
}, 60_000);
afterAll(async () => database?.close());

it('refuses a search of an overdue watch-list until the investigator acknowledges it', async () => {
  const search = await world.makeSearch('OVERDUE/1', world.actors.opener.id, world.teamA.id, 1);
  const authorize = (isOverdueReviewAcknowledged: boolean) =>
    database.prisma.$transaction(async (tx) =>
      authorizeFaceSearch(tx, world.actors.opener, runSearchSchema.parse({ probeFaceId: search.probeFaceId, watchlistIds: [world.watchlist.id], isOverdueReviewAcknowledged }), await readSearchPolicy(tx)),
    );
  await expect(authorize(false)).resolves.toMatchObject({ caseId: search.caseId });
  await database.prisma.watchlist.update({ where: { id: world.watchlist.id }, data: { reviewDate: new Date('2020-01-01') } });
  await expect(authorize(false)).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('past the review date') });
  await expect(authorize(true)).resolves.toMatchObject({ caseId: search.caseId });
});
