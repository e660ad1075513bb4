import { readFile } from 'node:fs/promises';
import { decodeImageFile } from '@/lib/server/vision/decode-image-file';
import type { FacePipeline } from '@/lib/vision/face-pipeline';
import { pickPrimaryFace } from '@/lib/vision/face-pipeline';
import type { Box } from '@/lib/vision/geometry';
import { VisionError } from '@/lib/vision/vision-error';

export type ImageEmbedding = {
  /** Faces found (at the normal threshold, or at the low fallback threshold when the normal pass found none). */
  faces: number;
  embedding: Float32Array | null;
  isLowConfidence: boolean;
  isCentreFallback: boolean;
  error: string | null;
  ms: number;
};

export type EmbedImageOptions = {
  /** Retry detection at this threshold, and down to 12 px faces, when the normal pass finds nothing (degraded CCTV stills). */
  fallbackThreshold: number;
  /** Verification only: LFW images are centred face crops, so a missed face is analysed in the centre box. */
  isCentreFallbackAllowed: boolean;
};

export const defaultEmbedImageOptions: EmbedImageOptions = { fallbackThreshold: 0.25, isCentreFallbackAllowed: false };

/** Decode → detect → best face → landmarks → align → embed for one file, timing the whole. */
export async function embedImageFile(pipeline: FacePipeline, path: string, options: EmbedImageOptions = defaultEmbedImageOptions): Promise<ImageEmbedding> {
  const started = performance.now();
  const done = (partial: Omit<ImageEmbedding, 'ms'>): ImageEmbedding => ({ ...partial, ms: performance.now() - started });
  try {
    const { image } = await decodeImageFile(new Uint8Array(await readFile(path)));
    let faces = await pipeline.detectFaces(image);
    let isLowConfidence = false;
    if (faces.length === 0 && options.fallbackThreshold > 0) {
      faces = await pipeline.detectFaces(image, { scoreThreshold: options.fallbackThreshold, minFaceSize: 12 });
      isLowConfidence = faces.length > 0;
    }
    const primary = pickPrimaryFace(faces);
    if (!primary) {
      if (!options.isCentreFallbackAllowed) {
        return done({ faces: 0, embedding: null, isLowConfidence: false, isCentreFallback: false, error: null });
      }
      const side = Math.min(image.width, image.height) * 0.5;
      const box: Box = { x: (image.width - side) / 2, y: (image.height - side) / 2, width: side, height: side };
      const analysis = await pipeline.analyseFace(image, { box, score: null });
      return done({ faces: 0, embedding: analysis.embedding, isLowConfidence: false, isCentreFallback: true, error: null });
    }
    const analysis = await pipeline.analyseFace(image, primary);
    return done({ faces: faces.length, embedding: analysis.embedding, isLowConfidence, isCentreFallback: false, error: null });
  } catch (error) {
    const message = error instanceof VisionError ? `${error.code}: ${error.message}` : (error as Error).message;
    return done({ faces: 0, embedding: null, isLowConfidence: false, isCentreFallback: false, error: message });
  }
}
