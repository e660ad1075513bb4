import { createActionDefiner } from '@/lib/server/actions/create-action-definer';
import { specifyEnrolImage } from '@/lib/server/actions/specs/enrolment';
import { CLI_REQUEST_CONTEXT, type RequestContext } from '@/lib/server/audit/request-context';
import type { Actor } from '@/lib/server/auth/current-actor';
import type { PrismaClient } from '@/lib/server/generated/prisma/client';
import type { CropStore } from '@/lib/server/storage/crop-store';
import type { FacePipeline } from '@/lib/vision/face-pipeline';

/**
 * The enrolment action as `npm run enrol` and the admin page run it (the same specification through
 * the same wrapper), with the test's pipeline, crop store and actor.
 */
export function enrolmentActionFor(options: { prisma: PrismaClient; actor: Actor; pipeline: FacePipeline; crops: CropStore; requestContext?: RequestContext }) {
  const action = createActionDefiner({
    getActor: async () => options.actor,
    getPrisma: async () => options.prisma,
    getRequestContext: async () => options.requestContext ?? CLI_REQUEST_CONTEXT,
  })(specifyEnrolImage({ getPipeline: async () => options.pipeline, getCropStore: () => options.crops }));
  return (input: { watchlistId: string; subjectReference: string; bytes: Uint8Array; fileName: string }) =>
    action({ watchlistId: input.watchlistId, subjectReference: input.subjectReference, fileName: input.fileName, file: new File([new Uint8Array(input.bytes)], input.fileName) });
}
