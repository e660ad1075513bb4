import 'server-only';
import { getPrisma, type Db } from '@/lib/server/db/database';
import type { Actor } from '@/lib/server/auth/current-actor';
import { whereVisible } from '@/lib/server/dal/visibility';
import { describeClipFrame } from '@/lib/shared/clip-frame-label';

export type SearchProbeFaceItem = {
  position: number;
  probeFaceId: string;
  /** Null once retention has erased the crop. */
  cropUrl: string | null;
  qualityVerdict: string;
  /** "Frame at 00:03.2 of clip …" for a frame sampled from a clip; null for a still. */
  clipFrame: string | null;
};

/**
 * Every face a search used as its probe, in order (position 0 is the search's own face), for the search
 * page to show what was searched when a probe is several frames of one person. Empty for a search the
 * actor cannot see, the same as for one that does not exist.
 */
export async function listProbeFacesOfSearch(actor: Actor, searchId: string, db?: Db): Promise<SearchProbeFaceItem[]> {
  db ??= await getPrisma();
  const rows = await db.searchProbeFace.findMany({
    where: { searchId, search: whereVisible(actor, 'search') },
    orderBy: { position: 'asc' },
    select: {
      position: true,
      probeFace: {
        select: {
          id: true,
          purgedAt: true,
          qualityVerdict: true,
          serverQualityVerdict: true,
          probe: { select: { clipSha256: true, clipFileName: true, frameTimeMs: true } },
        },
      },
    },
  });
  return rows.map(({ position, probeFace }) => ({
    position,
    probeFaceId: probeFace.id,
    cropUrl: probeFace.purgedAt ? null : `/api/crops/probe/${probeFace.id}`,
    qualityVerdict: probeFace.serverQualityVerdict ?? probeFace.qualityVerdict,
    clipFrame: describeClipFrame(probeFace.probe),
  }));
}
