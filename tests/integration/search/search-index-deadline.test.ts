import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/lib/server/db/database';
import { runFaceSearch, type SearchTarget } from '@/lib/server/search/run-face-search';
import { readSearchPolicy } from '@/lib/server/settings/search-policy';
import { isVectorIndexError, type SearchQuery, type VectorHit, type VectorIndex } from '@/lib/server/vector/vector-index';
import { runSearchSchema } from '@/lib/shared/schemas/search';
import { buildCaseworkFixture, type CaseworkFixture } from '../../support/casework-fixture';
import { openMemoryDatabase } from '../../support/test-database';

// The search action holds a database transaction open around its one vector-index call (count the
// gallery, search, record the result: all or nothing). An index that hangs must not hold that
// transaction: the search gives up at its deadline with a clear error, the transaction rolls back, and
// the database (PGlite has a single connection) is free for the next request. Without the deadline the
// first test below does not finish: Prisma expires the transaction but the callback never returns.

/** A VectorIndex that answers searches after `delayMs` (never, for Infinity) and records the abort. */
class SlowVectorIndex implements VectorIndex {
  readonly engine = 'embedded' as const;
  wasAborted = false;

  constructor(
    private readonly delayMs: number,
    private readonly hits: VectorHit[],
  ) {}

  async search(_modelId: string, query: SearchQuery): Promise<VectorHit[]> {
    query.signal?.addEventListener('abort', () => (this.wasAborted = true));
    // Deliberately ignores the signal otherwise: the deadline must hold even for an index that does.
    if (!Number.isFinite(this.delayMs)) return new Promise<never>(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    return this.hits;
  }

  ensureCollection = unused;
  upsert = unused;
  deleteByIds = unused;
  deleteByWatchlist = unused;
  count = unused;
  listIds = unused;
  health = unused;
  close = async () => undefined;
}

async function unused(): Promise<never> {
  throw new Error('not used by a search');
}

describe('a vector search inside the search transaction', () => {
  let database: Database;
  let fixture: CaseworkFixture;
  let made: Awaited<ReturnType<CaseworkFixture['makeSearch']>>;
  let target: SearchTarget;

  beforeAll(async () => {
    database = await openMemoryDatabase();
    fixture = await buildCaseworkFixture(database, 'deadline');
    made = await fixture.makeSearch('DL-1', fixture.actors.opener.id, fixture.teamA.id);
    target = {
      caseId: made.caseId,
      probeFace: { id: made.probeFaceId, modelId: 'model@1', embedding: new Uint8Array(8), qualityVerdict: 'good' },
      watchlistIds: [fixture.watchlist.id],
      qualityOverrideReason: null,
    };
  }, 120_000);

  afterAll(async () => {
    await database?.close();
  });

  const searchWith = (index: VectorIndex, indexTimeoutMs: number) =>
    database.prisma.$transaction(async (tx) =>
      runFaceSearch({
        tx,
        actor: fixture.actors.opener,
        input: runSearchSchema.parse({ probeFaceId: made.probeFaceId, watchlistIds: [fixture.watchlist.id] }),
        target,
        policy: await readSearchPolicy(tx),
        index,
        // The fixture's model has no calibration table; the scores' meaning is not what is tested here.
        calibrate: () => ({ tableId: null, calibrate: () => ({ falseMatchRate: 1e-6, expectedFpir: 1e-4 }) }),
        indexTimeoutMs,
      }),
    );

  it('gives up on an index that never answers, rolls the transaction back and frees the database', async () => {
    const searchesBefore = await database.prisma.search.count();
    const hanging = new SlowVectorIndex(Number.POSITIVE_INFINITY, []);
    const started = Date.now();
    const error = await searchWith(hanging, 300).then(() => null, (reason: unknown) => reason);
    const elapsed = Date.now() - started;

    expect(isVectorIndexError(error, 'UNAVAILABLE')).toBe(true);
    expect(String(error)).toMatch(/the embedded vector index did not answer a search within 300 ms; the search was abandoned and its transaction rolled back, so nothing was recorded/);
    // Our deadline, well before Prisma's own 5 s transaction limit.
    expect(elapsed).toBeLessThan(4_000);
    expect(hanging.wasAborted).toBe(true);
    expect(await database.prisma.search.count()).toBe(searchesBefore);
    // The one connection is free again: a new transaction commits at once.
    const team = await database.prisma.$transaction((tx) => tx.team.create({ data: { name: 'After the stuck search' } }));
    expect(team.name).toBe('After the stuck search');
  }, 15_000);

  it('records a search whose index answers within the deadline', async () => {
    const searchesBefore = await database.prisma.search.count();
    const hits: VectorHit[] = made.enrolledFaceIds.map((enrolledFaceId, rank) => ({
      id: crypto.randomUUID(),
      score: 0.9 - rank / 10,
      payload: { watchlistId: fixture.watchlist.id, subjectId: crypto.randomUUID(), enrolledFaceId, expiresAt: null },
    }));
    const outcome = await searchWith(new SlowVectorIndex(50, hits), 2_000);
    expect(outcome.candidates).toBe(hits.length);
    expect(await database.prisma.search.count()).toBe(searchesBefore + 1);
  }, 15_000);
});
