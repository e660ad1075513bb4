import 'server-only';
import { specifyAction } from '@/lib/server/actions/create-action-definer';
import { calibrateCandidate } from '@/lib/server/search/calibrate-candidate';
import { authorizeFaceSearch, runFaceSearch } from '@/lib/server/search/run-face-search';
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
    const outcome = await runFaceSearch({ tx, actor, input, target, policy, index: getVectorIndex(), calibrate: calibrateCandidate });
    return {
      data: outcome,
      target: { type: 'search', id: outcome.searchId },
      auditPayload: {
        caseId: target.caseId,
        probeFaceId: input.probeFaceId,
        watchlistIds: target.watchlistIds,
        mode: input.mode,
        listSize: input.listSize ?? policy.listSize,
        threshold: input.threshold ?? null,
        gallerySize: outcome.gallerySize,
        candidates: outcome.candidates,
        qualityVerdict: target.probeFace.qualityVerdict,
        qualityOverrideReason: input.qualityOverrideReason ?? null,
        isQualityOverride: target.qualityOverrideReason !== null,
      },
    };
  },
});
