import 'server-only';
import { recordSearchView } from '@/lib/server/review/record-search-view';
import { getPrisma } from '@/lib/server/db/database';
import type { PrismaClient } from '@/lib/server/generated/prisma/client';
import type { Actor } from '@/lib/server/auth/current-actor';
import { loadWholeStory } from '@/lib/server/dal/whole-story';
import { assemblePackContent } from '@/lib/server/disclosure/pack-content';
import type { PackContent } from '@/lib/shared/review/whole-story-view';

/**
 * The disclosure pack's content for the printable page. For an approved disclosure it is the content
 * the stored PDF was made from: the audit trail ends at the chain head its approval recorded and the
 * case's later searches are left out; for a pending one it is a preview as things stand now. Null
 * when the actor may not see the disclosure. The view is audited like any look at the casework.
 */
export async function findPackContentForActor(actor: Actor, disclosureId: string, db?: PrismaClient): Promise<PackContent | null> {
  db ??= await getPrisma();
  const story = await loadWholeStory(actor, { disclosureId }, db);
  if (!story?.disclosure) return null;
  const disclosure = story.disclosure;
  let options: { throughSequence?: bigint; generatedAt: Date } = { generatedAt: new Date() };
  if (disclosure.status === 'approved' && disclosure.decidedAt) {
    const approval = await db.auditEvent.findFirst({
      where: { action: 'disclosure.approve', outcome: 'success', targetType: 'disclosure', targetId: disclosure.id },
      select: { payload: true },
    });
    const head = (approval?.payload as { chainHead?: { sequence?: number } } | undefined)?.chainHead?.sequence;
    options = { generatedAt: disclosure.decidedAt, ...(typeof head === 'number' ? { throughSequence: BigInt(head) } : {}) };
  }
  const { content } = await assemblePackContent(db, actor, { ...story, disclosure }, options);
  await recordSearchView(db, actor, {
    searchId: story.search.id,
    caseId: story.case.id,
    probeFaceId: story.probeFace.id,
    candidatesShown: story.candidates.map((candidate) => candidate.id),
    isIdentityShown: true,
    stage: null,
    extra: { via: 'disclosure_pack', disclosureId: disclosure.id, ...(story.probeFaces.length > 1 ? { probeFaceIds: story.probeFaces.map((face) => face.id) } : {}) },
  });
  return content;
}
