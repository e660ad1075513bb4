import { readFile } from 'node:fs/promises';
import { decodeImageFile } from '@/lib/server/vision/decode-image-file';
import type { FaceAnalysis, FacePipeline } from '@/lib/vision/face-pipeline';
import { pickPrimaryFace } from '@/lib/vision/face-pipeline';
import type { Box } from '@/lib/vision/geometry';
import { VisionError } from '@/lib/vision/vision-error';

export type ImageEmbedding = {
  /** Faces found (at the normal threshold, or at the low fallback threshold when the normal pass found none). */
  faces: number;
  embedding: Float32Array | null;
  /** The whole analysis of the face embedded (box, landmarks, quality, aligned crop). */
  analysis: FaceAnalysis | null;
  /** The decoded image's size as stored (after EXIF orientation). */
  size: { width: number; height: number } | null;
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
  return embedImageBytes(pipeline, new Uint8Array(await readFile(path)), options);
}

export async function embedImageBytes(pipeline: FacePipeline, bytes: Uint8Array, options: EmbedImageOptions = defaultEmbedImageOptions): Promise<ImageEmbedding> {
  const started = performance.now();
  let size: ImageEmbedding['size'] = null;
  const done = (partial: Omit<ImageEmbedding, 'ms' | 'size'>): ImageEmbedding => ({ ...partial, size, ms: performance.now() - started });
  try {
    const { image, info } = await decodeImageFile(bytes);
    size = { width: info.originalWidth, height: info.originalHeight };
    let faces = await pipeline.detectFaces(image);
    let isLowConfidence = false;
    if (faces.length === 0 && options.fallbackThreshold > 0) {
      faces = await pipeline.detectFaces(image, { scoreThreshold: options.fallbackThreshold, minFaceSize: 12 });
      isLowConfidence = faces.length > 0;
    }
    const primary = pickPrimaryFace(faces);
    if (!primary) {
      if (!options.isCentreFallbackAllowed) {
        return done({ faces: 0, embedding: null, analysis: null, isLowConfidence: false, isCentreFallback: false, error: null });
      }
      const side = Math.min(image.width, image.height) * 0.5;
      const box: Box = { x: (image.width - side) / 2, y: (image.height - side) / 2, width: side, height: side };
      const analysis = await pipeline.analyseFace(image, { box, score: null });
      return done({ faces: 0, embedding: analysis.embedding, analysis, isLowConfidence: false, isCentreFallback: true, error: null });
    }
    const analysis = await pipeline.analyseFace(image, primary);
    return done({ faces: faces.length, embedding: analysis.embedding, analysis, isLowConfidence, isCentreFallback: false, error: null });
  } catch (error) {
    const message = error instanceof VisionError ? `${error.code}: ${error.message}` : (error as Error).message;
    return done({ faces: 0, embedding: null, analysis: null, isLowConfidence: false, isCentreFallback: false, error: message });
  }
}
