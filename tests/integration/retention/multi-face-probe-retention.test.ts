import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/lib/server/db/database';
import { deleteEmptiedProbes, expireProbeFaces, type CaseworkContext } from '@/lib/server/retention/delete-casework';
import { CropStore } from '@/lib/server/storage/crop-store';
import { buildCaseworkFixture, type CaseworkFixture } from '../../support/casework-fixture';
import { openMemoryDatabase } from '../../support/test-database';

// A probe face stays (its row; its crop and embedding only while no search with a lead needs them) for as
// long as a search refers to it. A search of several faces of one person refers to its further faces
// through search_probe_faces, not through searches.probe_face_id: retention must count those too, or it
// would delete (or purge) a face a live search still shows.
describe('retention of the faces of a multi-face probe', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rfr-multi-face-retention-'));
  let database: Database;
  let world: CaseworkFixture;
  let context: CaseworkContext;
  const faces: Record<'leadPrimary' | 'leadExtra' | 'noLeadPrimary' | 'noLeadExtra' | 'unused', string> = { leadPrimary: '', leadExtra: '', noLeadPrimary: '', noLeadExtra: '', unused: '' };
  let noLeadSearchId: string;
  const longAgo = new Date('2020-01-01T00:00:00Z');

  beforeAll(async () => {
    database = await openMemoryDatabase();
    world = await buildCaseworkFixture(database, 'mfret');
    const { prisma } = database;
    context = { prisma, crops: new CropStore(join(dataDir, 'crops')), batchSize: 10, onBatch: async () => undefined };
    const kase = await prisma.case.create({ data: { reference: 'MFRET/1', offence: 'Theft', purpose: 'Identify', legalBasis: 'Test', openedById: world.actors.opener.id, teamId: world.teamA.id } });
    const probe = await prisma.probe.create({ data: { caseId: kase.id, imageSha256: 'f'.repeat(64), source: 'CCTV', width: 10, height: 10, uploadedById: world.actors.opener.id } });
    for (const name of Object.keys(faces) as (keyof typeof faces)[]) {
      faces[name] = (
        await prisma.probeFace.create({
          data: { probeId: probe.id, box: {}, landmarks: [], quality: {}, qualityVerdict: 'good', cropKey: `probe/${name}.png`, cropSha256: 'c'.repeat(64), modelId: 'model@1', embedding: new Uint8Array(8), createdAt: longAgo },
        })
      ).id;
    }
    const searchOf = async (primary: string, extra: string, reviewState: 'awaiting_first_review' | 'no_possible_match') =>
      (
        await prisma.search.create({
          data: {
            caseId: kase.id,
            probeFaceId: primary,
            actorId: world.actors.opener.id,
            watchlistIds: [world.watchlist.id],
            mode: 'rank',
            listSize: 5,
            modelId: 'model@1',
            indexEngine: 'embedded',
            indexVersion: '1',
            gallerySize: 0,
            reviewState,
            probeFaces: { createMany: { data: [{ probeFaceId: primary, position: 0 }, { probeFaceId: extra, position: 1 }] } },
          },
        })
      ).id;
    await searchOf(faces.leadPrimary, faces.leadExtra, 'awaiting_first_review');
    noLeadSearchId = await searchOf(faces.noLeadPrimary, faces.noLeadExtra, 'no_possible_match');
  }, 120_000);

  afterAll(async () => {
    await database?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every face of a search with a lead, purges every face of one without, deletes the unused face', async () => {
    const { prisma } = database;
    const report = await expireProbeFaces(context, new Date());
    expect(report).toEqual({ purged: 2, deleted: 1 });
    const state = async (id: string) => prisma.probeFace.findUnique({ where: { id }, select: { purgedAt: true, cropKey: true } });
    for (const id of [faces.leadPrimary, faces.leadExtra]) expect(await state(id)).toEqual({ purgedAt: null, cropKey: expect.stringMatching(/^probe\//) });
    for (const id of [faces.noLeadPrimary, faces.noLeadExtra]) expect(await state(id)).toEqual({ purgedAt: expect.any(Date), cropKey: '' });
    expect(await state(faces.unused)).toBeNull();
  });

  it('deletes a purged further face only once the last search referring to it has gone', async () => {
    const { prisma } = database;
    expect(await deleteEmptiedProbes(context, null)).toEqual({ probeFaces: 0, probes: 0 });
    // The search goes (as deleteNoLeadSearches deletes it); its rows in search_probe_faces go with it.
    await prisma.search.delete({ where: { id: noLeadSearchId } });
    expect(await prisma.searchProbeFace.count({ where: { searchId: noLeadSearchId } })).toBe(0);
    expect(await deleteEmptiedProbes(context, null)).toEqual({ probeFaces: 2, probes: 0 });
    expect(await prisma.probeFace.count({ where: { id: { in: [faces.noLeadPrimary, faces.noLeadExtra] } } })).toBe(0);
    expect(await prisma.probeFace.count({ where: { id: { in: [faces.leadPrimary, faces.leadExtra] } } })).toBe(2);
  });
});
