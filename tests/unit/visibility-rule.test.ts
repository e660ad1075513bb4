import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/lib/server/db/database';
import { whereVisible, type Access, type VisibleKind } from '@/lib/server/dal/visibility';
import { buildCaseworkFixture, type CaseworkFixture } from '../support/casework-fixture';
import { openMemoryDatabase } from '../support/test-database';

// The one visibility rule, driven as a table: each actor against each kind of case-owned object, for
// reading and for working on it, on a real (in-memory) PostgreSQL engine.
let database: Database;
let world: CaseworkFixture;
let plain: Awaited<ReturnType<CaseworkFixture['makeSearch']>>;
let asked: Awaited<ReturnType<CaseworkFixture['makeSearch']>>;

beforeAll(async () => {
  database = await openMemoryDatabase();
  world = await buildCaseworkFixture(database, 'vis');
  // Team A: one case with no decision asked of the supervisor, one with a disclosure request.
  plain = await buildSearch('A/PLAIN');
  asked = await buildSearch('A/ASKED');
  await database.prisma.disclosure.create({ data: { candidateId: asked.candidateIds[0]!, requestedById: world.actors.opener.id, statement: 'Both reviewers agree.' } });
}, 60_000);
afterAll(async () => database?.close());

function buildSearch(reference: string) {
  return world.makeSearch(reference, world.actors.opener.id, world.teamA.id);
}

type ActorName = keyof CaseworkFixture['actors'];
const KINDS: VisibleKind[] = ['case', 'probe', 'probeFace', 'search', 'candidate', 'enrolledFace'];

// actor, which case, access → visible?
const TABLE: [ActorName, 'plain' | 'asked', Access, boolean][] = [
  ['opener', 'plain', 'read', true],
  ['opener', 'plain', 'work', true],
  ['teammate', 'plain', 'read', true],
  ['teammate', 'plain', 'work', true],
  ['otherTeam', 'plain', 'read', false],
  ['otherTeam', 'asked', 'work', false],
  ['noTeam', 'plain', 'read', false],
  ['supervisor', 'plain', 'read', false],
  ['supervisor', 'asked', 'read', true],
  ['supervisor', 'asked', 'work', false],
  ['otherSupervisor', 'asked', 'read', false],
  ['admin', 'plain', 'read', false],
  ['admin', 'asked', 'read', false],
];

async function countVisible(kind: VisibleKind, id: string, where: object): Promise<number> {
  const delegate = {
    case: database.prisma.case,
    probe: database.prisma.probe,
    probeFace: database.prisma.probeFace,
    search: database.prisma.search,
    candidate: database.prisma.candidate,
    enrolledFace: database.prisma.enrolledFace,
  }[kind] as unknown as { count(args: { where: object }): Promise<number> };
  return delegate.count({ where: { id, ...where } });
}

describe('one visibility rule for every case-owned object', () => {
  it.each(TABLE)('%s on the %s case, %s → %s', async (actorName, which, access, expected) => {
    const target = which === 'plain' ? plain : asked;
    const ids: Record<VisibleKind, string> = {
      case: target.caseId,
      probe: target.probeId,
      probeFace: target.probeFaceId,
      search: target.searchId,
      candidate: target.candidateIds[0]!,
      enrolledFace: target.enrolledFaceIds[0]!,
    };
    const actor = world.actors[actorName];
    for (const kind of KINDS) {
      const count = await countVisible(kind, ids[kind], whereVisible(actor, kind, access));
      expect({ kind, visible: count === 1 }).toEqual({ kind, visible: expected });
    }
  });
});
