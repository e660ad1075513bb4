import 'server-only';
import { specifyAction } from '@/lib/server/actions/create-action-definer';
import { calibrateCandidate } from '@/lib/server/search/calibrate-candidate';
import { authorizeFaceSearch, probeFacesOf, probeSetVerdict, runFaceSearch } from '@/lib/server/search/run-face-search';
import { readSearchPolicy } from '@/lib/server/settings/search-policy';
import { getVectorIndex } from '@/lib/server/vector/get-vector-index';
import { runSearchSchema } from '@/lib/shared/schemas/search';

export const runSearchSpec = specifyAction({
  name: 'search.run',
  permission: 'search:run',
  input: runSearchSchema,
  async authorize({ actor, input, tx }) {
    const policy = await readSearchPolicy(tx);
    return { policy, target: await authorizeFaceSearch(tx, actor, input, policy) };
  },
  async run({ actor, input, tx, authorized: { policy, target } }) {
    const index = getVectorIndex();
    const { watchlistSizes, startedAt, completedAt, ...outcome } = await runFaceSearch({ tx, actor, input, target, policy, index, calibrate: calibrateCandidate });
    // The audit event alone must say what was searched with what, against what, and what was shown
    // (Art. 12(3) LED logging): the still and crop by hash, each list and its size, every candidate.
    const face = await tx.probeFace.findUniqueOrThrow({ where: { id: input.probeFaceId }, select: { cropSha256: true, probe: { select: { id: true, imageSha256: true } } } });
    // Every face of a multi-face probe, by id and hash, with the verdict each had (the set is judged by
    // its best: probeSetVerdict).
    const probeFaces = probeFacesOf(target);
    const stored = await tx.probeFace.findMany({ where: { id: { in: probeFaces.map((one) => one.id) } }, select: { id: true, cropSha256: true, probe: { select: { id: true, imageSha256: true } } } });
    const storedById = new Map(stored.map((one) => [one.id, one]));
    const candidates = await tx.candidate.findMany({
      where: { searchId: outcome.searchId },
      orderBy: { rank: 'asc' },
      select: { id: true, rank: true, subjectId: true, enrolledFaceId: true, rawScore: true, bestProbeFaceId: true },
    });
    return {
      data: outcome,
      target: { type: 'search', id: outcome.searchId },
      auditPayload: {
        caseId: target.caseId,
        probeFaceId: input.probeFaceId,
        probeId: face.probe.id,
        imageSha256: face.probe.imageSha256,
        cropSha256: face.cropSha256,
        probeFaceIds: probeFaces.map((one) => one.id),
        probeFaces: probeFaces.map((one, position) => ({
          probeFaceId: one.id,
          position,
          probeId: storedById.get(one.id)!.probe.id,
          imageSha256: storedById.get(one.id)!.probe.imageSha256,
          cropSha256: storedById.get(one.id)!.cropSha256,
          qualityVerdict: one.qualityVerdict,
        })),
        watchlistIds: target.watchlistIds,
        watchlists: watchlistSizes,
        modelId: target.probeFace.modelId,
        indexEngine: index.engine,
        mode: input.mode,
        listSize: input.listSize ?? policy.listSize,
        threshold: input.threshold ?? null,
        gallerySize: outcome.gallerySize,
        calibrationTableId: outcome.calibrationTableId,
        candidates: candidates.map((candidate) => ({ candidateId: candidate.id, rank: candidate.rank, subjectId: candidate.subjectId, enrolledFaceId: candidate.enrolledFaceId, rawScore: candidate.rawScore, bestProbeFaceId: candidate.bestProbeFaceId })),
        period: { start: startedAt.toISOString(), end: completedAt.toISOString() },
        qualityVerdict: probeSetVerdict(target),
        qualityOverrideReason: input.qualityOverrideReason ?? null,
        isOverdueReviewAcknowledged: input.isOverdueReviewAcknowledged,
        isQualityOverride: target.qualityOverrideReason !== null,
      },
    };
  },
});
