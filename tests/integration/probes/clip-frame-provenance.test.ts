import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Database } from '@/lib/server/db/database';
import { PROBE_FACE_FORM_FIELDS } from '@/lib/shared/schemas/probe';
import { hasLfw, lfwMissingMessage } from '../../support/lfw';
import { buildAttackWorld, type AttackWorld } from '../../support/attack-world';
import { requestScope } from '../../support/request-scope';
import { openMemoryDatabase } from '../../support/test-database';

// A frame sampled from a clip is recorded through the same action as a still, with the clip's hash, its
// file name and the frame's time kept on the probe; identical frames (a static scene) share one probe
// without tripping the one-probe-per-image rule.

vi.mock('next/headers', () => import('../../support/request-scope'));
vi.mock('next/cache', () => ({ revalidatePath: () => undefined, revalidateTag: () => undefined }));

const dataDir = vi.hoisted(() => {
  const { mkdtempSync } = require('node:fs') as typeof import('node:fs');
  const { tmpdir } = require('node:os') as typeof import('node:os');
  const { join } = require('node:path') as typeof import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'rfr-clip-provenance-'));
  process.env.DATA_DIR = dir;
  process.env.AUTH_SECRET ??= 'clip-provenance-secret-that-is-long-enough-0123456789';
  return dir;
});

type Result = { ok: boolean; data?: { probeId: string; probeFaceId: string }; error?: { code: string; message: string; fieldErrors?: Record<string, string[]> } };
let database: Database;
let world: AttackWorld;
let recordProbeFaceForSearch: (form: FormData) => Promise<Result>;
let runSearch: (input: unknown) => Promise<{ ok: boolean; data?: { searchId: string }; error?: { code: string; message: string } }>;

const CLIP_SHA = 'ab'.repeat(32);
const hex64 = () => randomUUID().replaceAll('-', '').padEnd(64, '0');

/** The genuine face's form, with the still replaced by the given clip frame. */
async function frameForm(caseId: string, still: { imageSha256: string; clip?: unknown }): Promise<FormData> {
  const form = await world.probeFaceForm(caseId);
  const payload = JSON.parse(String(form.get(PROBE_FACE_FORM_FIELDS.payload)));
  payload.still = { ...payload.still, width: 640, height: 480, source: 'CCTV clip', ...still };
  form.set(PROBE_FACE_FORM_FIELDS.payload, JSON.stringify(payload));
  return form;
}

beforeAll(async () => {
  database = await openMemoryDatabase();
  (globalThis as { __rfrDatabase?: Promise<Database> }).__rfrDatabase = Promise.resolve(database);
  world = await buildAttackWorld(database, dataDir);
  ({ recordProbeFaceForSearch } = (await import('@/lib/actions/probes')) as never);
  ({ runSearch } = (await import('@/lib/actions/searches')) as never);
  requestScope.sessionCookie = await world.sessionCookieFor(world.actors.teamInvestigator);
}, 300_000);

afterAll(async () => {
  const { closeVectorIndex } = await import('@/lib/server/vector/get-vector-index');
  await closeVectorIndex().catch(() => undefined);
  (globalThis as { __rfrDatabase?: Promise<Database> }).__rfrDatabase = undefined;
  await database?.close();
  await rm(dataDir, { recursive: true, force: true });
});

if (!hasLfw) console.warn(lfwMissingMessage);

describe.skipIf(!hasLfw)('clip frame provenance through the record action', () => {
  it('stores the clip hash, file name and frame time with each frame', async () => {
    const caseId = await world.teamCase();
    const times = [3200, 4700];
    const recorded = [];
    for (const frameTimeMs of times) {
      const result = await recordProbeFaceForSearch(await frameForm(caseId, { imageSha256: hex64(), clip: { clipSha256: CLIP_SHA, fileName: 'door-cam.mp4', frameTimeMs } }));
      expect(result.ok, JSON.stringify(result.error)).toBe(true);
      recorded.push(result.data!);
    }
    const probes = await database.prisma.probe.findMany({
      where: { id: { in: recorded.map((r) => r.probeId) } },
      select: { clipSha256: true, clipFileName: true, frameTimeMs: true, source: true },
      orderBy: { frameTimeMs: 'asc' },
    });
    expect(probes).toEqual(times.map((frameTimeMs) => ({ clipSha256: CLIP_SHA, clipFileName: 'door-cam.mp4', frameTimeMs, source: 'CCTV clip' })));
    const audit = await database.prisma.auditEvent.findFirstOrThrow({ where: { action: 'probe.record_face', targetId: recorded[1]!.probeFaceId } });
    expect((audit.payload as { clip: unknown }).clip).toEqual({ clipSha256: CLIP_SHA, fileName: 'door-cam.mp4', frameTimeMs: 4700 });
  });

  it('searches the frames as one probe, and lists each with its time in the clip for those who may see the search', async () => {
    const caseId = await world.teamCase();
    const ids: string[] = [];
    for (const frameTimeMs of [1200, 2500, 3700]) {
      const result = await recordProbeFaceForSearch(await frameForm(caseId, { imageSha256: hex64(), clip: { clipSha256: CLIP_SHA, fileName: 'door-cam.mp4', frameTimeMs } }));
      expect(result.ok, JSON.stringify(result.error)).toBe(true);
      ids.push(result.data!.probeFaceId);
    }
    const searched = await runSearch({
      probeFaceId: ids[0],
      extraProbeFaceIds: ids.slice(1),
      watchlistIds: [(await world.watchlist()).id],
      mode: 'rank',
      qualityOverrideReason: 'The only footage of the incident; lead to be verified.',
    });
    expect(searched.ok, JSON.stringify(searched.error)).toBe(true);
    const { findSearchReviewForActor } = await import('@/lib/server/dal/search-review');
    const page = await findSearchReviewForActor(world.actors.teamInvestigator, searched.data!.searchId, {}, database.prisma);
    expect(page && 'facts' in page ? page.facts.probeFaces.map((face) => [face.position, face.id, face.clipFrame]) : null).toEqual([
      [0, ids[0], `Frame at 00:01.2 of clip ${CLIP_SHA.slice(0, 12)}… (door-cam.mp4)`],
      [1, ids[1], `Frame at 00:02.5 of clip ${CLIP_SHA.slice(0, 12)}… (door-cam.mp4)`],
      [2, ids[2], `Frame at 00:03.7 of clip ${CLIP_SHA.slice(0, 12)}… (door-cam.mp4)`],
    ]);
    expect(await findSearchReviewForActor(world.actors.otherTeamInvestigator, searched.data!.searchId, {}, database.prisma)).toBeNull();
  });

  it('records two identical frames as two faces of one probe, keeping the first frame’s time', async () => {
    const caseId = await world.teamCase();
    const frameSha = hex64();
    const first = await recordProbeFaceForSearch(await frameForm(caseId, { imageSha256: frameSha, clip: { clipSha256: CLIP_SHA, fileName: 'still-scene.webm', frameTimeMs: 500 } }));
    const second = await recordProbeFaceForSearch(await frameForm(caseId, { imageSha256: frameSha, clip: { clipSha256: CLIP_SHA, fileName: 'still-scene.webm', frameTimeMs: 1000 } }));
    expect(first.ok && second.ok, JSON.stringify([first.error, second.error])).toBe(true);
    expect(second.data!.probeId).toBe(first.data!.probeId);
    expect(second.data!.probeFaceId).not.toBe(first.data!.probeFaceId);
    const probe = await database.prisma.probe.findUniqueOrThrow({ where: { id: first.data!.probeId }, select: { frameTimeMs: true, _count: { select: { faces: true } } } });
    expect(probe).toEqual({ frameTimeMs: 500, _count: { faces: 2 } });
  });

  it('leaves the clip columns empty for a still', async () => {
    const caseId = await world.teamCase();
    const result = await recordProbeFaceForSearch(await frameForm(caseId, { imageSha256: hex64() }));
    expect(result.ok).toBe(true);
    const probe = await database.prisma.probe.findUniqueOrThrow({ where: { id: result.data!.probeId }, select: { clipSha256: true, clipFileName: true, frameTimeMs: true } });
    expect(probe).toEqual({ clipSha256: null, clipFileName: null, frameTimeMs: null });
  });

  it('refuses a malformed clip provenance, recording nothing', async () => {
    const caseId = await world.teamCase();
    const before = await database.prisma.probe.count();
    for (const clip of [
      { clipSha256: 'not-a-hash', fileName: 'a.mp4', frameTimeMs: 0 },
      { clipSha256: CLIP_SHA, fileName: 'a.mp4', frameTimeMs: -1 },
      { clipSha256: CLIP_SHA, fileName: '', frameTimeMs: 10 },
    ]) {
      const result = await recordProbeFaceForSearch(await frameForm(caseId, { imageSha256: hex64(), clip }));
      expect(result.ok).toBe(false);
      expect(result.error!.code).toBe('VALIDATION');
    }
    expect(await database.prisma.probe.count()).toBe(before);
  });
});
