import 'server-only';
import { specifyAction } from '@/lib/server/actions/create-action-definer';
import { getConfig } from '@/lib/server/config';
import { recordProbeFace, requireOpenCaseOfActor } from '@/lib/server/probes/record-probe-face';
import { cropStoreFor } from '@/lib/server/storage/crop-store';
import { requireRecognizerDimension } from '@/lib/server/vision/recognizer-catalogue';
import { AppError } from '@/lib/shared/errors';
import { recordProbeFaceSchema } from '@/lib/shared/schemas/probe';

export const recordProbeFaceSpec = specifyAction({
  name: 'probe.record_face',
  permission: 'probe:upload',
  input: recordProbeFaceSchema,
  // Decoding and re-encoding the crop needs no database: done before the transaction opens.
  prepare: ({ input }) => cropStoreFor(getConfig().dataDir).saveUploaded('probe', Buffer.from(input.face.cropBase64, 'base64')),
  async authorize({ actor, input, tx }) {
    await requireOpenCaseOfActor(tx, actor, input.caseId);
    const dimension = await requireRecognizerDimension(input.face.modelId);
    if (input.face.embedding.length !== dimension) {
      throw new AppError('VALIDATION', `The embedding has ${input.face.embedding.length} values; ${input.face.modelId} gives ${dimension}.`, {
        'face.embedding': [`Expected ${dimension} values.`],
      });
    }
  },
  async run({ actor, input, tx, prepared: crop }) {
    const recorded = await recordProbeFace(tx, actor, input, crop);
    return {
      data: recorded,
      target: { type: 'probe_face', id: recorded.probeFaceId },
      auditPayload: {
        caseId: input.caseId,
        probeId: recorded.probeId,
        imageSha256: input.still.imageSha256,
        source: input.still.source,
        cameraLocation: input.still.cameraLocation ?? null,
        capturedAt: input.still.capturedAt ?? null,
        box: input.face.box,
        isManualBox: input.face.isManualBox,
        modelId: input.face.modelId,
        qualityVerdict: input.face.quality.verdict,
        cropSha256: crop.sha256,
      },
    };
  },
});
