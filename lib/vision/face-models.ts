import type { Box, Point } from './geometry';
import type { PixelImage, RgbImage } from './pixel-image';

// Interfaces every model family implements. The pipeline depends on these, never on a concrete model,
// so a force's licensed detector or recogniser is added by writing one adapter and a manifest entry.

export type DetectedFace = { box: Box; score: number };

export type DetectOptions = {
  /** Smallest face width (source pixels) the search should still find; smaller means more tiles and time. */
  minFaceSize?: number;
  scoreThreshold?: number;
  maxFaces?: number;
  signal?: AbortSignal;
  /** Told after each pyramid level (for the benchmarks' stage timings); never changes what is found. */
  onLevel?: (level: DetectLevelTiming) => void;
};

export type DetectLevelTiming = { scale: number; tiles: number; ms: number };

export interface FaceDetector {
  readonly modelId: string;
  detect(image: PixelImage, options?: DetectOptions): Promise<DetectedFace[]>;
}

/** 68 points in the iBUG 300-W order, in source image pixels. */
export type FaceLandmarks = { points68: Point[]; points5: FivePoints };

/** Left eye, right eye (as seen in the image), nose tip, left and right mouth corners. */
export type FivePoints = [Point, Point, Point, Point, Point];

export interface LandmarkLocator {
  readonly modelId: string;
  locate(image: PixelImage, box: Box, options?: { isManualBox?: boolean }): Promise<FaceLandmarks>;
}

export interface FaceRecognizer {
  readonly modelId: string;
  readonly dimension: number;
  /** Input is the 112×112 crop aligned to the ArcFace template; output is L2-normalised. */
  embed(aligned: RgbImage): Promise<Float32Array>;
}
