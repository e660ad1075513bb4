import 'server-only';
import { decodeImageFile } from '@/lib/server/vision/decode-image-file';
import { encodeCropPixels } from '@/lib/server/storage/crop-store';
import { AppError } from '@/lib/shared/errors';
import type { FaceAnalysis, FacePipeline } from '@/lib/vision/face-pipeline';
import { isVerdictBelow } from '@/lib/vision/face-quality';
import { VisionError } from '@/lib/vision/vision-error';
import { APP_ENROLMENT_POLICY, sha256Hex } from './enrol-image';

// A set-aside image is kept only as its SHA-256 (the picture itself may show bystanders, and nobody
// decided to keep it), so resolving one starts from the same file supplied again by the administrator.
// These helpers check that it is that file, find every face in it, and pick the one the administrator
// chose, under the same quality rule as any enrolment.

/** Refuses a file that is not the image that was set aside. */
export function requireSameImage(bytes: Uint8Array, imageSha256: string): string {
  const sha256 = sha256Hex(bytes);
  if (sha256 !== imageSha256) {
    throw new AppError('VALIDATION', 'This is not the image that was set aside: its SHA-256 differs. Choose the original file.', {
      file: ['Not the image that was set aside (SHA-256 differs).'],
    });
  }
  return sha256;
}

/** Every face the detector finds, left to right, each analysed exactly as enrolment analyses one. */
export async function analyseEveryFace(pipeline: FacePipeline, bytes: Uint8Array): Promise<FaceAnalysis[]> {
  try {
    const { image } = await decodeImageFile(bytes);
    const faces = await pipeline.detectFaces(image);
    const analyses: FaceAnalysis[] = [];
    for (const face of faces) analyses.push(await pipeline.analyseFace(image, face));
    return analyses.sort((a, b) => a.box.x - b.box.x || a.box.y - b.box.y);
  } catch (error) {
    if (error instanceof VisionError) throw new AppError('VALIDATION', error.message, { file: [error.message] });
    throw error;
  }
}

export type InspectedFace = {
  number: number;
  verdict: string;
  reasons: string[];
  /** Whether the quality rule of enrolment admits it. */
  isEnrollable: boolean;
  box: { x: number; y: number; width: number; height: number };
  /** The aligned 112×112 crop that would be enrolled, as a PNG in base64: shown, never stored. */
  cropPngBase64: string;
};

export async function describeFaces(analyses: FaceAnalysis[]): Promise<InspectedFace[]> {
  return Promise.all(
    analyses.map(async (analysis, index) => ({
      number: index + 1,
      verdict: analysis.quality.verdict,
      reasons: analysis.quality.reasons.map((reason) => reason.message),
      isEnrollable: !isVerdictBelow(analysis.quality.verdict, APP_ENROLMENT_POLICY.minimumQuality),
      box: { x: Math.round(analysis.box.x), y: Math.round(analysis.box.y), width: Math.round(analysis.box.width), height: Math.round(analysis.box.height) },
      cropPngBase64: (await encodeCropPixels('enrolled', analysis.aligned)).png.toString('base64'),
    })),
  );
}

/** The face numbered `faceNumber` (1 = leftmost), if enrolment's quality rule admits it. */
export function pickFace(analyses: FaceAnalysis[], faceNumber: number): FaceAnalysis {
  const face = analyses[faceNumber - 1];
  if (!face) {
    throw new AppError('VALIDATION', `The image shows ${analyses.length} face${analyses.length === 1 ? '' : 's'}; there is no face ${faceNumber}.`, {
      faceNumber: ['No such face in the image.'],
    });
  }
  if (isVerdictBelow(face.quality.verdict, APP_ENROLMENT_POLICY.minimumQuality)) {
    throw new AppError('VALIDATION', `Face ${faceNumber} is of ${face.quality.verdict} quality, below what enrolment accepts: ${face.quality.reasons.map((reason) => reason.message).join('; ')}`, {
      faceNumber: ['Below the enrolment quality rule.'],
    });
  }
  return face;
}
