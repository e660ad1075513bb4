import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '@/lib/server/db/database';
import { bumpWatchlistVersion, lockWatchlistVersions } from '@/lib/server/gallery/watchlist-version';
import { createThrowawayPostgres, type ThrowawayPostgres } from '../../support/test-database';

// The version a search records must be the version of the faces it counted. On a real PostgreSQL
// server (several connections, unlike the embedded store), two transactions are interleaved: a search
// holding the share lock makes a change wait until it commits, and a change in progress makes the
// search wait and then read the new version together with the change itself.
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let server: ThrowawayPostgres | null = null;
let database: Database;
let watchlistId: string;

beforeAll(async () => {
  server = await createThrowawayPostgres();
  if (!server) return;
  database = await openDatabase({ databaseUrl: server.url });
  const owner = await database.prisma.user.create({ data: { email: 'owner@lock.test', displayName: 'Owner', role: 'admin', passwordHash: 'x' } });
  watchlistId = (
    await database.prisma.watchlist.create({ data: { name: 'Locked list', purpose: 'Testing locks', authority: 'Test', ownerId: owner.id, retentionDays: 30, reviewDate: new Date('2031-01-01') } })
  ).id;
}, 60_000);

afterAll(async () => {
  await database?.close();
  await server?.drop();
});

const subjectsNow = (tx: Pick<Database['prisma'], 'subject'>) => tx.subject.count({ where: { watchlistId } });

describe('the watch-list version under concurrent change (PostgreSQL)', () => {
  it('makes a change wait for a search that holds the list, and a search wait for a change in progress', async (context) => {
    if (!server) return context.skip();
    const { prisma } = database;
    const start = await prisma.watchlist.findUniqueOrThrow({ where: { id: watchlistId }, select: { version: true } });
    const timeline: string[] = [];

    // 1. The search locks first: the change (a subject added, the version bumped) waits for it.
    let searched: { version: number; subjects: number } | null = null;
    let locked!: () => void;
    const hasLocked = new Promise<void>((resolve) => (locked = resolve));
    const search = prisma.$transaction(async (tx) => {
      const versions = await lockWatchlistVersions(tx, [watchlistId]);
      locked();
      await sleep(400);
      searched = { version: versions[watchlistId]!, subjects: await subjectsNow(tx) };
      timeline.push('search committed');
    });
    await hasLocked;
    const change = prisma.$transaction(async (tx) => {
      await tx.subject.create({ data: { watchlistId, reference: 'L-1', displayName: 'One' } });
      await bumpWatchlistVersion(tx, watchlistId);
      timeline.push('change bumped');
    });
    await Promise.all([search, change]);
    expect(timeline).toEqual(['search committed', 'change bumped']);
    expect(searched).toEqual({ version: start.version, subjects: 0 });

    // 2. The change holds the list first: the search waits, then sees the new version and the change.
    timeline.length = 0;
    let searchedAfter: { version: number; subjects: number } | null = null;
    let bumped!: () => void;
    const hasBumped = new Promise<void>((resolve) => (bumped = resolve));
    const change2 = prisma.$transaction(async (tx) => {
      await tx.subject.create({ data: { watchlistId, reference: 'L-2', displayName: 'Two' } });
      await bumpWatchlistVersion(tx, watchlistId);
      bumped();
      await sleep(400);
      timeline.push('change committed');
    });
    await hasBumped;
    const search2 = prisma.$transaction(async (tx) => {
      const versions = await lockWatchlistVersions(tx, [watchlistId]);
      timeline.push('search locked');
      searchedAfter = { version: versions[watchlistId]!, subjects: await subjectsNow(tx) };
    });
    await Promise.all([change2, search2]);
    expect(timeline).toEqual(['change committed', 'search locked']);
    expect(searchedAfter).toEqual({ version: start.version + 2, subjects: 2 });
  }, 60_000);
});
