import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActionDefiner } from '@/lib/server/actions/create-action-definer';
import { runSearchSpec } from '@/lib/server/actions/specs/run-search';
import { dismissSetAsideSpec } from '@/lib/server/actions/specs/set-aside';
import { updateSubjectSpec, updateWatchlistSpec } from '@/lib/server/actions/specs/watchlists';
import type { Actor } from '@/lib/server/auth/current-actor';
import type { Database } from '@/lib/server/db/database';
import { listWatchlistHistory } from '@/lib/server/dal/watchlists';
import { findEarlierOutcome } from '@/lib/server/gallery/enrol-image';
import { markSubjectForErasure } from '@/lib/server/gallery/erase-faces';
import { expireFaces } from '@/lib/server/retention/expire-faces';
import { closeVectorIndex } from '@/lib/server/vector/get-vector-index';
import { buildCaseworkFixture, type CaseworkFixture } from '../../support/casework-fixture';
import { countRows, openMemoryDatabase } from '../../support/test-database';

// The watch-list administration actions through the real wrapper on a real (in-memory) PostgreSQL
// engine: what each changes, what it records (previous and new values, the list's version), and
// that a refused attempt changes nothing but the audit log.
const dataDir = mkdtempSync(join(tmpdir(), 'rfr-watchlist-admin-'));
process.env.DATA_DIR = dataDir;

let database: Database;
let world: CaseworkFixture;
let actor: Actor | null = null;
const define = () => createActionDefiner({ getActor: async () => actor, getPrisma: async () => database.prisma, logError: () => {} });
const as = (who: Actor | null) => {
  actor = who;
  return define();
};

let listId: string;
const listRow = () => database.prisma.watchlist.findUniqueOrThrow({ where: { id: listId } });
const versionOf = async (id = listId) => (await database.prisma.watchlist.findUniqueOrThrow({ where: { id }, select: { version: true } })).version;
const lastEvent = (action: string) => database.prisma.auditEvent.findFirstOrThrow({ where: { action }, orderBy: { sequence: 'desc' } });

const TERMS = { purpose: 'Find people wanted on warrant in the county', authority: 'Police and Criminal Evidence Act 1984', retentionDays: 90, reviewDate: '2031-03-31', searchableBy: [] as string[] };

beforeAll(async () => {
  database = await openMemoryDatabase();
  world = await buildCaseworkFixture(database, 'wladmin');
  const created = await database.prisma.watchlist.create({
    data: { name: 'Wanted on warrant', ...TERMS, reviewDate: new Date('2031-03-31T00:00:00Z'), ownerId: world.actors.admin.id },
  });
  listId = created.id;
}, 60_000);

afterAll(async () => {
  await closeVectorIndex();
  await database?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Every table the actions could touch, with its row count, and the list itself. */
async function snapshot() {
  const tables = ['watchlists', 'subjects', 'enrolled_faces', 'enrolment_exceptions', 'searches', 'stored_file_deletions'];
  const counts = Object.fromEntries(await Promise.all(tables.map(async (table) => [table, await countRows(database, table)] as const)));
  const lists = await database.prisma.watchlist.findMany({ orderBy: { id: 'asc' } });
  const subjects = await database.prisma.subject.findMany({ orderBy: { id: 'asc' } });
  const exceptions = await database.prisma.enrolmentException.findMany({ orderBy: { id: 'asc' } });
  return { counts, lists, subjects, exceptions };
}

describe('editing a watch-list', () => {
  it('changes only what differs, records previous and new values, moves the version on, and shows it in the history', async () => {
    const before = await listRow();
    expect(before.version).toBe(1);
    const subject = await database.prisma.subject.create({ data: { watchlistId: listId, reference: 'W-1', displayName: 'Subject one' } });
    const enrolledAt = new Date('2026-11-01T10:00:00Z');
    const face = await database.prisma.enrolledFace.create({
      data: { subjectId: subject.id, watchlistId: listId, imageSha256: 'f'.repeat(64), cropKey: 'enrolled/w1.png', quality: {}, modelId: 'model@1', embedding: Buffer.alloc(8), vectorPointId: crypto.randomUUID(), expiresAt: new Date(enrolledAt.getTime() + 90 * 86_400_000), createdAt: enrolledAt, indexState: 'indexed' },
    });
    const investigator = world.actors.opener;

    const result = await as(world.actors.admin)(updateWatchlistSpec)({
      watchlistId: listId,
      ...TERMS,
      purpose: 'Find people wanted on warrant in the county and beyond',
      retentionDays: '30',
      searchableBy: investigator.id,
    });
    expect(result).toEqual({ ok: true, data: { watchlistId: listId, version: 2, fields: ['purpose', 'retentionDays', 'searchableBy'] } });

    const after = await listRow();
    expect(after).toMatchObject({ purpose: 'Find people wanted on warrant in the county and beyond', retentionDays: 30, searchableBy: [investigator.id], authority: TERMS.authority, version: 2 });
    // The new retention applies to the faces already enrolled, counted from their enrolment.
    const rescheduled = await database.prisma.enrolledFace.findUniqueOrThrow({ where: { id: face.id } });
    expect(rescheduled.expiresAt.toISOString()).toBe(new Date(enrolledAt.getTime() + 30 * 86_400_000).toISOString());

    const event = await lastEvent('watchlist.update');
    expect(event).toMatchObject({ outcome: 'success', actorId: world.actors.admin.id, targetType: 'watchlist', targetId: listId });
    expect(event.payload).toEqual({
      watchlistId: listId,
      previous: { purpose: TERMS.purpose, retentionDays: 90, searchableBy: [] },
      next: { purpose: 'Find people wanted on warrant in the county and beyond', retentionDays: 30, searchableBy: [investigator.id] },
      version: 2,
      facesRescheduled: 1,
    });

    const [latest] = await listWatchlistHistory(listId, 100, database.prisma);
    expect(latest).toMatchObject({ action: 'watchlist.update', label: 'Terms edited', actorName: 'Admin', version: 2 });
    expect(latest!.changes).toEqual([
      { field: 'Purpose', previous: TERMS.purpose, next: 'Find people wanted on warrant in the county and beyond' },
      { field: 'Retention (days)', previous: '90', next: '30' },
      { field: 'Who may search it', previous: 'every investigator', next: 'Opener' },
    ]);
  });

  it('refuses the other roles and no one at all, changing nothing but the audit log', async () => {
    const before = await snapshot();
    const input = { watchlistId: listId, ...TERMS, authority: 'Some other power entirely' };
    for (const who of [world.actors.opener, world.actors.supervisor, null]) {
      const result = await as(who)(updateWatchlistSpec)(input);
      expect(result).toMatchObject({ ok: false, error: { code: who ? 'FORBIDDEN' : 'UNAUTHENTICATED' } });
      const event = await lastEvent('watchlist.update');
      expect(event).toMatchObject({ outcome: 'refused', actorId: who?.id ?? null });
      expect(event.payload).toMatchObject({ watchlistId: listId });
    }
    expect(await snapshot()).toEqual(before);
  });

  it('refuses invalid terms field by field, investigators-only access, an unchanged save and a deleted list, changing nothing', async () => {
    const before = await snapshot();
    const admin = as(world.actors.admin)(updateWatchlistSpec);
    const invalid = await admin({ watchlistId: listId, ...TERMS, purpose: 'short', retentionDays: 0, reviewDate: '31/03/2031' });
    expect(invalid).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    if (invalid.ok) throw new Error('unreachable');
    expect(Object.keys(invalid.error.fieldErrors ?? {}).sort()).toEqual(['purpose', 'retentionDays', 'reviewDate']);

    expect(await admin({ watchlistId: listId, ...TERMS, searchableBy: [world.actors.supervisor.id] })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION', fieldErrors: { searchableBy: ['Choose investigators only.'] } },
    });
    const current = await listRow();
    const same = { watchlistId: listId, purpose: current.purpose, authority: current.authority, retentionDays: current.retentionDays, reviewDate: current.reviewDate.toISOString().slice(0, 10), searchableBy: current.searchableBy };
    expect(await admin(same)).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: 'Nothing was changed.' } });

    const deleted = await database.prisma.watchlist.create({
      data: { name: 'Deleted list', ...TERMS, reviewDate: new Date('2031-03-31'), ownerId: world.actors.admin.id, deletedAt: new Date() },
    });
    const afterCreate = await snapshot();
    expect(await admin({ ...same, watchlistId: deleted.id, purpose: 'A new purpose for a deleted list' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await admin({ ...same, watchlistId: crypto.randomUUID() })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await snapshot()).toEqual(afterCreate);
    expect(afterCreate.lists.find((list) => list.id === listId)).toEqual(before.lists.find((list) => list.id === listId));
  });
});

describe('editing a subject', () => {
  it('records the previous values, moves the version on, and refuses a reference already used in the list', async () => {
    const subject = await database.prisma.subject.findFirstOrThrow({ where: { watchlistId: listId, reference: 'W-1' } });
    await database.prisma.subject.create({ data: { watchlistId: listId, reference: 'W-2', displayName: 'Subject two' } });
    const version = await versionOf();
    const admin = as(world.actors.admin)(updateSubjectSpec);

    const result = await admin({ subjectId: subject.id, reference: 'W-1A', displayName: 'Subject one' });
    expect(result).toEqual({ ok: true, data: { subjectId: subject.id, watchlistId: listId, version: version + 1 } });
    expect(await database.prisma.subject.findUniqueOrThrow({ where: { id: subject.id } })).toMatchObject({ reference: 'W-1A', displayName: 'Subject one' });
    const event = await lastEvent('watchlist.update_subject');
    expect(event).toMatchObject({ outcome: 'success', targetType: 'subject', targetId: subject.id });
    expect(event.payload).toEqual({ watchlistId: listId, previous: { reference: 'W-1' }, next: { reference: 'W-1A' }, version: version + 1 });
    const [latest] = await listWatchlistHistory(listId, 100, database.prisma);
    expect(latest).toMatchObject({ label: 'Subject edited', subject: 'W-1', version: version + 1, changes: [{ field: 'Reference', previous: 'W-1', next: 'W-1A' }] });

    const before = await snapshot();
    expect(await admin({ subjectId: subject.id, reference: 'W-2', displayName: 'Subject one' })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION', fieldErrors: { reference: ['Already used in this watch-list.'] } },
    });
    expect(await admin({ subjectId: subject.id, reference: 'bad/ref', displayName: '' })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(await admin({ subjectId: subject.id, reference: 'W-1A', displayName: 'Subject one' })).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: 'Nothing was changed.' } });
    for (const who of [world.actors.opener, world.actors.supervisor]) {
      expect(await as(who)(updateSubjectSpec)({ subjectId: subject.id, reference: 'W-9', displayName: 'Someone else' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      expect((await lastEvent('watchlist.update_subject')).payload).toMatchObject({ subjectId: subject.id });
    }
    expect(await snapshot()).toEqual(before);
  });

  it('refuses an erased subject', async () => {
    const erased = await database.prisma.subject.create({ data: { watchlistId: listId, reference: 'W-GONE', displayName: 'Gone', deletedAt: new Date() } });
    const before = await snapshot();
    expect(await as(world.actors.admin)(updateSubjectSpec)({ subjectId: erased.id, reference: 'W-BACK', displayName: 'Back' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await snapshot()).toEqual(before);
  });
});

describe('the watch-list version', () => {
  it('increases with an erasure and with a retention expiry, in the same transaction as the change', async () => {
    const subject = await database.prisma.subject.create({ data: { watchlistId: listId, reference: 'W-ERASE', displayName: 'To erase' } });
    const version = await versionOf();
    await database.prisma.$transaction((tx) => markSubjectForErasure(tx, subject.id));
    expect(await versionOf()).toBe(version + 1);

    // A failed transaction leaves the version where it was.
    const other = await database.prisma.subject.create({ data: { watchlistId: listId, reference: 'W-ROLLBACK', displayName: 'Rolled back' } });
    await expect(
      database.prisma.$transaction(async (tx) => {
        await markSubjectForErasure(tx, other.id);
        throw new Error('crash after the change');
      }),
    ).rejects.toThrow('crash after the change');
    expect(await versionOf()).toBe(version + 1);

    const expiring = await database.prisma.subject.create({ data: { watchlistId: listId, reference: 'W-EXPIRE', displayName: 'Expiring' } });
    await database.prisma.enrolledFace.create({
      data: { subjectId: expiring.id, watchlistId: listId, imageSha256: 'e'.repeat(64), cropKey: 'enrolled/w9.png', quality: {}, modelId: 'model@1', embedding: Buffer.alloc(8), vectorPointId: crypto.randomUUID(), expiresAt: new Date(Date.now() - 1000), indexState: 'indexed' },
    });
    const untouched = await versionOf(world.watchlist.id);
    expect(await expireFaces(database.prisma)).toBeGreaterThanOrEqual(1);
    expect(await versionOf()).toBe(version + 2);
    // Only the lists that lost faces move on.
    expect(await versionOf(world.watchlist.id)).toBe(untouched);
    expect((await lastEvent('retention.expire')).payload).toMatchObject({ watchlistVersions: { [listId]: version + 2 } });
  });

  it('is recorded with each search, for every list searched, and a later change does not alter what an earlier search recorded', async () => {
    const empty = await database.prisma.watchlist.create({
      data: { name: 'Empty versioned list', ...TERMS, reviewDate: new Date('2031-03-31'), ownerId: world.actors.admin.id },
    });
    const { probeFaceId } = await world.makeSearch('VER/1', world.actors.opener.id, world.teamA.id, 0);
    const search = () => as(world.actors.opener)(runSearchSpec)({ probeFaceId, watchlistIds: [empty.id], mode: 'rank' });

    const first = await search();
    if (!first.ok) throw new Error(JSON.stringify(first.error));
    expect((await database.prisma.search.findUniqueOrThrow({ where: { id: first.data.searchId } })).watchlistVersions).toEqual({ [empty.id]: 1 });
    expect((await lastEvent('search.run')).payload).toMatchObject({ watchlists: [{ watchlistId: empty.id, faces: 0, version: 1 }] });

    expect(await as(world.actors.admin)(updateWatchlistSpec)({ watchlistId: empty.id, ...TERMS, authority: 'Another authority for this list' })).toMatchObject({ ok: true, data: { version: 2 } });
    const second = await search();
    if (!second.ok) throw new Error(JSON.stringify(second.error));
    expect((await database.prisma.search.findUniqueOrThrow({ where: { id: second.data.searchId } })).watchlistVersions).toEqual({ [empty.id]: 2 });
    expect((await database.prisma.search.findUniqueOrThrow({ where: { id: first.data.searchId } })).watchlistVersions).toEqual({ [empty.id]: 1 });
  });
});

describe('dismissing a set-aside image', () => {
  it('needs a reason, marks the image resolved with who, when and how, leaves the version alone, and happens once', async () => {
    const exception = await database.prisma.enrolmentException.create({
      data: { watchlistId: listId, subjectRef: 'W-SA', sourceLabel: 'W-SA/crowd.jpg', imageSha256: 'd'.repeat(64), reason: 'several_faces', details: { message: '3 faces' } },
    });
    const version = await versionOf();
    const before = await snapshot();
    const admin = as(world.actors.admin)(dismissSetAsideSpec);
    expect(await admin({ exceptionId: exception.id, reason: 'short' })).toMatchObject({ ok: false, error: { code: 'VALIDATION', fieldErrors: { reason: expect.any(Array) } } });
    for (const who of [world.actors.opener, world.actors.supervisor, null]) {
      expect(await as(who)(dismissSetAsideSpec)({ exceptionId: exception.id, reason: 'Not the subject in any of the faces.' })).toMatchObject({ ok: false });
      expect((await lastEvent('enrolment.dismiss_set_aside')).payload).toMatchObject({ exceptionId: exception.id });
    }
    expect(await snapshot()).toEqual(before);

    const result = await as(world.actors.admin)(dismissSetAsideSpec)({ exceptionId: exception.id, reason: 'Not the subject in any of the faces.' });
    expect(result).toEqual({ ok: true, data: { exceptionId: exception.id, watchlistId: listId } });
    const resolved = await database.prisma.enrolmentException.findUniqueOrThrow({ where: { id: exception.id } });
    expect(resolved).toMatchObject({ resolution: 'dismissed', resolutionReason: 'Not the subject in any of the faces.', resolvedById: world.actors.admin.id, enrolledFaceId: null });
    expect(resolved.resolvedAt).toBeInstanceOf(Date);
    expect(await versionOf()).toBe(version);
    expect((await lastEvent('enrolment.dismiss_set_aside')).payload).toMatchObject({
      watchlistId: listId,
      subjectReference: 'W-SA',
      reason: 'Not the subject in any of the faces.',
      previous: { resolvedAt: null, setAsideReason: 'several_faces' },
      next: { resolution: 'dismissed' },
    });
    const [latest] = await listWatchlistHistory(listId, 100, database.prisma);
    expect(latest).toMatchObject({ label: 'Set-aside image dismissed', subject: 'W-SA: Not the subject in any of the faces.' });

    // Enrolment is resumable: running the same folder again skips the dismissed image rather than
    // setting it aside afresh for someone to dismiss again.
    expect(await findEarlierOutcome(database.prisma, listId, 'd'.repeat(64), 'model@1')).toMatchObject({ status: 'set_aside', isAlreadyRecorded: true, message: expect.stringContaining('Dismissed') });

    expect(await as(world.actors.admin)(dismissSetAsideSpec)({ exceptionId: exception.id, reason: 'Dismissed a second time, by a double click.' })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(await database.prisma.enrolmentException.findUniqueOrThrow({ where: { id: exception.id } })).toEqual(resolved);
  });
});
