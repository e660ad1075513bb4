import type { FivePoints } from './face-models';
import { type Affine, applyAffine, estimateSimilarity, invertAffine, type Point } from './geometry';
import { downscaleByBlocks, extractRegion, type PixelImage, type RgbImage, warpAffine } from './pixel-image';

/** The standard ArcFace 112×112 five-point template (insightface), eyes as seen in the image. */
export const arcFaceTemplate112: FivePoints = [
  { x: 38.2946, y: 51.6963 },
  { x: 73.5318, y: 51.5014 },
  { x: 56.0252, y: 71.7366 },
  { x: 41.5493, y: 92.3655 },
  { x: 70.7299, y: 92.2041 },
];

export type AlignedFace = { image: RgbImage; templateFromSource: Affine };

export function estimateAlignment(points: FivePoints, template: FivePoints = arcFaceTemplate112): Affine {
  return estimateSimilarity(points, template);
}

/**
 * Warps the face onto the template. A face much larger than 112 px is first block-averaged over its own
 * neighbourhood, so the crop is a filtered reduction rather than a sparse bilinear sample.
 */
export function alignFace(image: PixelImage, points: FivePoints, size = 112): AlignedFace {
  const templateFromSource = estimateAlignment(points);
  const sourceFromTemplate = invertAffine(templateFromSource);
  const scale = Math.hypot(sourceFromTemplate[0], sourceFromTemplate[3]);
  const k = Math.floor(scale);
  if (k < 2) return { image: warpAffine(image, sourceFromTemplate, size, size), templateFromSource };
  const corners: Point[] = [
    { x: 0, y: 0 },
    { x: size, y: 0 },
    { x: 0, y: size },
    { x: size, y: size },
  ].map((p) => applyAffine(sourceFromTemplate, p));
  const x0 = Math.max(0, Math.floor(Math.min(...corners.map((p) => p.x))) - k);
  const y0 = Math.max(0, Math.floor(Math.min(...corners.map((p) => p.y))) - k);
  const x1 = Math.min(image.width, Math.ceil(Math.max(...corners.map((p) => p.x))) + k);
  const y1 = Math.min(image.height, Math.ceil(Math.max(...corners.map((p) => p.y))) + k);
  if (x1 - x0 < k || y1 - y0 < k) return { image: warpAffine(image, sourceFromTemplate, size, size), templateFromSource };
  const small = downscaleByBlocks(extractRegion(image, { x: x0, y: y0, width: x1 - x0, height: y1 - y0 }), k);
  // Compose: template → source → (shift by region origin, divide by k) → reduced image.
  const m = sourceFromTemplate;
  const reduced: Affine = [m[0] / k, m[1] / k, (m[2] - x0) / k, m[3] / k, m[4] / k, (m[5] - y0) / k];
  return { image: warpAffine(small, reduced, size, size), templateFromSource };
}
