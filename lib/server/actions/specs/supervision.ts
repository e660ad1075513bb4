import 'server-only';
import { performance } from 'node:perf_hooks';
import { specifyAction } from '@/lib/server/actions/create-action-definer';
import type { TransactionClient } from '@/lib/server/db/database';
import type { Actor } from '@/lib/server/auth/current-actor';
import { getConfig } from '@/lib/server/config';
import { loadWholeStory } from '@/lib/server/dal/whole-story';
import { assemblePackContent, readPackImages } from '@/lib/server/disclosure/pack-content';
import { renderPackPdf } from '@/lib/server/disclosure/render-pack-pdf';
import { settleReviewState } from '@/lib/server/review/review-records';
import { packStoreFor, pendingPack } from '@/lib/server/storage/pack-store';
import { AppError } from '@/lib/shared/errors';
import type { DisputeResolution } from '@/lib/shared/review/dispute-resolution';
import type { WholeStory } from '@/lib/shared/review/whole-story-view';
import { decideDisclosureSchema, resolveDisputeSchema } from '@/lib/shared/schemas/supervision';

// The supervisor's desk: approve or refuse a disclosure request, resolve a dispute between the two
// reviewers. Each decision is the supervisor's alone and must be independent of the work it judges:
// whoever ran or reviewed the search, or asked for the disclosure, may read it but not decide it
// (possible when a role changed since). Object checks go through the one visibility rule, by way of
// the same whole story the supervisor reads on the page.

function refuseConflict(story: WholeStory) {
  if (story.viewerConflict === 'requested') throw new AppError('FORBIDDEN', 'You asked for this disclosure: another supervisor must decide it.');
  if (story.viewerConflict === 'reviewed') throw new AppError('FORBIDDEN', 'You ran or reviewed this search: another supervisor must decide on it.');
}

function requirePendingDisclosure(story: WholeStory | null): asserts story is WholeStory & { disclosure: NonNullable<WholeStory['disclosure']> } {
  if (!story?.disclosure) throw new AppError('NOT_FOUND', 'No such disclosure request, or it is not in one of your team’s cases.');
  refuseConflict(story);
  if (story.disclosure.status !== 'pending') throw new AppError('CONFLICT', `This disclosure request has already been ${story.disclosure.status}.`);
}

async function recordDecision(tx: TransactionClient, actor: Actor, disclosureId: string, data: { status: 'approved' | 'refused'; rationale: string; decidedAt: Date; packKey?: string; packSha256?: string }) {
  // Conditional on still pending: of two decisions racing, only one is recorded.
  const updated = await tx.disclosure.updateMany({
    where: { id: disclosureId, status: 'pending' },
    data: { status: data.status, decidedById: actor.id, decidedAt: data.decidedAt, decisionRationale: data.rationale, packKey: data.packKey ?? null, packSha256: data.packSha256 ?? null },
  });
  if (updated.count !== 1) throw new AppError('CONFLICT', 'This disclosure request has already been decided.');
}

/**
 * Approval generates the disclosure pack once, from the whole story as it stands, and stores it
 * immutably: the PDF is rendered in `prepare` (slow, writes nothing), written under its SHA-256 in
 * `run` (removed again if the transaction fails), and its hash goes into the approval's audit event,
 * so any copy can later be checked against the log (`npm run pack:verify`).
 */
export const approveDisclosureSpec = specifyAction({
  name: 'disclosure.approve',
  permission: 'disclosure:decide',
  input: decideDisclosureSchema,
  async authorize({ actor, input, tx }) {
    const story = await loadWholeStory(actor, { disclosureId: input.disclosureId }, tx);
    requirePendingDisclosure(story);
    // The pack's content is read here, with the check (reads only): `prepare` has no database.
    const decidedAt = new Date();
    return assemblePackContent(tx, actor, story, { decision: { decidedBy: actor.displayName, decidedAt, rationale: input.rationale }, generatedAt: decidedAt });
  },
  async prepare({ authorized: { content, crops } }) {
    const started = performance.now();
    const pdf = await renderPackPdf(content, await readPackImages(crops));
    return { pack: pendingPack(pdf), decidedAt: content.generatedAt, chainHead: content.chainHead, generationMs: Math.round(performance.now() - started) };
  },
  async run({ actor, input, tx, authorized: { content }, prepared: { pack, decidedAt, chainHead, generationMs }, onRollback }) {
    const store = packStoreFor(getConfig().dataDir);
    await store.write(pack);
    onRollback(() => store.remove(pack.key));
    await recordDecision(tx, actor, input.disclosureId, { status: 'approved', rationale: input.rationale, decidedAt, packKey: pack.key, packSha256: pack.sha256 });
    return {
      data: { disclosureId: input.disclosureId, packSha256: pack.sha256 },
      target: { type: 'disclosure', id: input.disclosureId },
      auditPayload: {
        caseId: content.story.case.id,
        searchId: content.story.search.id,
        candidateId: content.disclosure.candidateId,
        rationale: input.rationale,
        packSha256: pack.sha256,
        packKey: pack.key,
        packBytes: pack.bytes,
        generationMs,
        // The last event the pack's audit trail includes: the pack cannot hold its own hash, so it holds this.
        chainHead,
      },
    };
  },
});

export const refuseDisclosureSpec = specifyAction({
  name: 'disclosure.refuse',
  permission: 'disclosure:decide',
  input: decideDisclosureSchema,
  async authorize({ actor, input, tx }) {
    const story = await loadWholeStory(actor, { disclosureId: input.disclosureId }, tx);
    requirePendingDisclosure(story);
    return { story };
  },
  async run({ actor, input, tx, authorized: { story } }) {
    await recordDecision(tx, actor, input.disclosureId, { status: 'refused', rationale: input.rationale, decidedAt: new Date() });
    return {
      data: { disclosureId: input.disclosureId },
      target: { type: 'disclosure', id: input.disclosureId },
      auditPayload: { caseId: story.case.id, searchId: story.search.id, candidateId: story.disclosure.candidateId, rationale: input.rationale },
    };
  },
});

/**
 * The supervisor's final decision on each candidate the reviewers disagreed on. The search is then
 * `resolved`, and a candidate resolved as a possible match may be put forward for disclosure.
 */
export const resolveDisputeSpec = specifyAction({
  name: 'dispute.resolve',
  permission: 'disclosure:decide',
  input: resolveDisputeSchema,
  async authorize({ actor, input, tx }) {
    const story = await loadWholeStory(actor, { disputeId: input.disputeId }, tx);
    if (!story?.dispute) throw new AppError('NOT_FOUND', 'No such dispute, or it is not in one of your team’s cases.');
    refuseConflict(story);
    if (story.dispute.status === 'resolved') throw new AppError('CONFLICT', 'This dispute has already been resolved.');
    const disputed = new Set(story.dispute.disputedCandidateIds);
    const given = new Set(input.decisions.map((entry) => entry.candidateId));
    if (given.size !== input.decisions.length || given.size !== disputed.size || ![...given].every((id) => disputed.has(id))) {
      throw new AppError('VALIDATION', `Give a final decision on each disputed candidate, and only those (${given.size} given, ${disputed.size} disputed).`, {
        decisions: ['Decide every disputed candidate.'],
      });
    }
    return { story, dispute: story.dispute };
  },
  async run({ actor, input, tx, authorized: { story, dispute } }) {
    const resolution: DisputeResolution = { decisions: Object.fromEntries(input.decisions.map((entry) => [entry.candidateId, entry.decision])) };
    await tx.dispute.update({
      where: { id: dispute.id, status: 'open' },
      data: { status: 'resolved', resolution, rationale: input.rationale, resolvedById: actor.id, resolvedAt: new Date() },
    });
    const outcome = await settleReviewState(tx, story.search.id);
    return {
      data: { disputeId: dispute.id, outcome },
      target: { type: 'dispute', id: dispute.id },
      auditPayload: { caseId: story.case.id, searchId: story.search.id, decisions: input.decisions, rationale: input.rationale, outcome },
    };
  },
});
