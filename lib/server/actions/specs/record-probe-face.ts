import 'server-only';
import { specifyAction } from '@/lib/server/actions/create-action-definer';
import { getConfig } from '@/lib/server/config';
import { requireWorkableCase } from '@/lib/server/dal/visibility';
import { findRecordedSubmission, recordProbeFace, storeProbeCrop } from '@/lib/server/probes/record-probe-face';
import { verifyProbeFace } from '@/lib/server/probes/verify-probe-face';
import { cropStoreFor } from '@/lib/server/storage/crop-store';
import { requireRecognizerDimension } from '@/lib/server/vision/recognizer-catalogue';
import { AppError } from '@/lib/shared/errors';
import { recordProbeFaceSchema } from '@/lib/shared/schemas/probe';

export const recordProbeFaceSpec = specifyAction({
  name: 'probe.record_face',
  permission: 'probe:upload',
  input: recordProbeFaceSchema,
  async authorize({ actor, input: { payload }, tx }) {
    await requireWorkableCase(tx, actor, payload.caseId);
    const dimension = await requireRecognizerDimension(payload.face.modelId);
    if (payload.face.embedding.length !== dimension) {
      throw new AppError('VALIDATION', `The embedding has ${payload.face.embedding.length} values; ${payload.face.modelId} gives ${dimension}.`, {
        'payload.face.embedding': [`Expected ${dimension} values.`],
      });
    }
    return { recorded: await findRecordedSubmission(tx, actor, payload) };
  },
  // Decoding, re-embedding and measuring the crop needs no database and takes tens of milliseconds:
  // done after the object check, outside the transaction. A retry of a recorded face needs none of it.
  prepare: async ({ input, authorized }) => (authorized.recorded ? null : verifyProbeFace({ input })),
  async run({ actor, input: { payload }, tx, authorized, prepared: verification, onRollback }) {
    if (authorized.recorded) {
      return {
        data: authorized.recorded,
        target: { type: 'probe_face', id: authorized.recorded.probeFaceId },
        auditPayload: { caseId: payload.caseId, probeId: authorized.recorded.probeId, idempotencyKey: payload.idempotencyKey, isAlreadyRecorded: true },
      };
    }
    // Recorded by a concurrent retry after this one's first check: nothing was verified to store.
    if (!verification) throw new AppError('CONFLICT', 'This face is being recorded by another request. Try again.');
    // The file is written only now, after every check, inside the write transaction; see storeProbeCrop
    // for how it is removed again if the transaction fails.
    const crop = await storeProbeCrop({ tx, crops: cropStoreFor(getConfig().dataDir), verification, onRollback });
    const recorded = await recordProbeFace(tx, actor, { payload, crop, verification });
    return {
      data: recorded,
      target: { type: 'probe_face', id: recorded.probeFaceId },
      auditPayload: {
        caseId: payload.caseId,
        probeId: recorded.probeId,
        idempotencyKey: payload.idempotencyKey,
        imageSha256: payload.still.imageSha256,
        source: payload.still.source,
        cameraLocation: payload.still.cameraLocation ?? null,
        capturedAt: payload.still.capturedAt ?? null,
        clip: payload.still.clip ?? null,
        box: payload.face.box,
        isManualBox: payload.face.isManualBox,
        modelId: payload.face.modelId,
        claimedQualityVerdict: payload.face.quality.verdict,
        qualityVerdict: verification.serverQuality.verdict,
        embeddingAgreement: verification.embeddingAgreement,
        cropSha256: crop.sha256,
      },
    };
  },
});
