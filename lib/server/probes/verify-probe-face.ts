import 'server-only';
import sharp from 'sharp';
import { encodeCropPixels, type PendingCrop } from '@/lib/server/storage/crop-store';
import { getSharedFacePipeline } from '@/lib/server/vision/shared-face-pipeline';
import { AppError } from '@/lib/shared/errors';
import type { RecordProbeFaceInput } from '@/lib/shared/schemas/probe';
import type { FivePoints } from '@/lib/vision/face-models';
import type { FacePipeline } from '@/lib/vision/face-pipeline';
import { assessQuality, defaultQualityPolicy, measureQuality, type QualityPolicy, type QualityReport, type QualityVerdict } from '@/lib/vision/face-quality';
import type { RgbImage } from '@/lib/vision/pixel-image';
import { sniffImage } from '@/lib/vision/sniff-image';

/** The recogniser's input: the browser sends the crop it embedded, so it must be exactly this size. */
export const ALIGNED_CROP_SIZE = 112;

/**
 * The lowest cosine accepted between the browser's embedding and the server's re-embedding of the
 * crop the browser sent. Measured with `npm run bench -- verify` on 200 LFW faces (photos 1 and 2 of
 * the first 100 people with two or more; BENCHMARKS.md, "Server verification of probe faces"):
 * - the browser worker's own PNG crop (onnxruntime-web WASM in headless Chromium) re-embedded in Node:
 *   every one agrees to within 1e-8 of 1 (the same pixels through the same float32 graph);
 * - the same crop re-encoded as JPEG (quality 92): min 0.984, p1 0.987, median 0.9987;
 * - one face's crop against another photo of the same person's embedding: median 0.71, max 0.91;
 * - against a different person's embedding (39,600 pairs): median 0.01, p99 0.25, max 0.41.
 * 0.95 sits 0.03 under the worst JPEG crop (and far under PNG, which the workbench sends, leaving room
 * for a GPU backend's different summation order) and 0.04 over the closest substituted photo of the same
 * person, so an embedding accepted is this crop's embedding and no one else's.
 */
export const MIN_EMBEDDING_AGREEMENT = 0.95;

const VERDICT_RANK: Record<QualityVerdict, number> = { poor: 0, usable: 1, good: 2 };

export type ProbeFaceVerification = {
  /** The crop as the store will keep it (re-encoded from the decoded pixels, never the bytes as sent). */
  crop: PendingCrop;
  /** The server's own embedding of the crop: the vector that is stored and searched. */
  embedding: Float32Array;
  /** Cosine between the submitted embedding and the server's own. */
  embeddingAgreement: number;
  /** The quality the server measured: the one the search policy is applied to. */
  serverQuality: QualityReport;
};

function refuse(message: string, field: string): never {
  throw new AppError('VALIDATION', message, { [field]: [message] });
}

/** Decodes the submitted crop to RGB pixels; anything but the recogniser's exact input size is refused. */
export async function decodeAlignedCrop(bytes: Uint8Array): Promise<RgbImage> {
  // By magic bytes, before any decoder: the workbench sends a PNG (a JPEG is accepted), and anything
  // else (an SVG, a PDF, an animation) is refused without reaching libvips.
  const sniffed = sniffImage(bytes);
  if (!sniffed || (sniffed.format !== 'png' && sniffed.format !== 'jpeg') || sniffed.isAnimated) {
    refuse('The face crop must be a PNG or JPEG still image.', 'crop');
  }
  let decoded: { data: Buffer; info: sharp.OutputInfo };
  try {
    // A crop larger than 512×512 is not worth decoding to find out it is the wrong size.
    decoded = await sharp(bytes, { limitInputPixels: 512 * 512, animated: false, failOn: 'error' })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
  } catch {
    refuse('The face crop is not a readable PNG or JPEG image of at most 512×512 pixels.', 'crop');
  }
  const { data, info } = decoded;
  if (info.width !== ALIGNED_CROP_SIZE || info.height !== ALIGNED_CROP_SIZE || info.channels !== 3) {
    refuse(`The face crop must be the ${ALIGNED_CROP_SIZE}×${ALIGNED_CROP_SIZE} aligned crop the recogniser saw; this one is ${info.width}×${info.height}.`, 'crop');
  }
  return { width: info.width, height: info.height, channels: 3, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

/**
 * What the browser says about a face is not taken on trust: the server decodes the crop it sent,
 * re-embeds it through the same steps the pipeline uses after alignment, and measures its quality
 * itself. The submission is refused when the crop is not an aligned crop, when the embedding is not
 * the embedding of this crop (a substituted vector would search for someone else while the record
 * shows this face), or when the browser claims a better quality than the crop has (which would let a
 * poor face past the quality policy without the override an investigator must write).
 *
 * Pose and the eye distance come from the submitted five points, in the still's pixels: the server
 * never sees the still, so these it cannot check; the detector score is taken as claimed for the same
 * reason. Sharpness, brightness and contrast are the crop's own.
 */
export async function verifyProbeFace(options: {
  input: RecordProbeFaceInput;
  pipeline?: FacePipeline;
  policy?: QualityPolicy;
}): Promise<ProbeFaceVerification> {
  const { face } = options.input.payload;
  const aligned = await decodeAlignedCrop(options.input.crop);
  const pipeline = options.pipeline ?? (await getSharedFacePipeline());
  if (face.modelId !== pipeline.recognizerId) {
    refuse(`The server checks faces with ${pipeline.recognizerId}; this face was embedded with ${face.modelId}.`, 'payload.face.modelId');
  }
  if (face.embedding.length !== pipeline.embeddingDimension) {
    refuse(`The embedding has ${face.embedding.length} values; ${face.modelId} gives ${pipeline.embeddingDimension}.`, 'payload.face.embedding');
  }
  const points5 = face.landmarks.map(([x, y]) => ({ x, y })) as FivePoints;

  const serverEmbedding = await pipeline.embedAlignedFace(aligned, points5);
  // Both are unit length (the schema checks the submitted one), so the dot product is the cosine.
  const embeddingAgreement = dot(face.embedding, serverEmbedding);
  if (!(embeddingAgreement >= MIN_EMBEDDING_AGREEMENT)) {
    refuse(
      `The embedding does not match the face crop (agreement ${embeddingAgreement.toFixed(3)}, at least ${MIN_EMBEDDING_AGREEMENT} expected). Analyse the face again.`,
      'payload.face.embedding',
    );
  }

  const serverQuality = assessQuality(measureQuality({ aligned, points5, detectorScore: face.detectorScore }), options.policy ?? defaultQualityPolicy);
  if (VERDICT_RANK[face.quality.verdict] > VERDICT_RANK[serverQuality.verdict]) {
    const why = serverQuality.reasons.map((reason) => reason.message).join(' ');
    refuse(
      `The face was submitted as "${face.quality.verdict}" quality but the server measures "${serverQuality.verdict}"${why ? `: ${why}` : '.'}`,
      'payload.face.quality.verdict',
    );
  }

  return { crop: await encodeCropPixels('probe', aligned), embedding: serverEmbedding, embeddingAgreement, serverQuality };
}
