import type { FaceLandmarks, FivePoints, LandmarkLocator } from './face-models';
import type { Box, Point } from './geometry';
import { requireOutput, runSingleInput, type ModelSession } from './model-session';
import { cropAndResize, type PixelImage, toGrey } from './pixel-image';

// The 68-point model sees a square grey crop around the face and answers in coordinates relative to that
// crop. It was trained on crops from the same detector family, so the crop is built the way the detector's
// boxes look: centred on the box, side equal to its longer edge.

export type LandmarkConfig = { modelId: string; inputSize: number; mean: number; scale: number; outputName: string };

export function squareAround(box: Box, grow = 1): Box {
  const side = Math.max(box.width, box.height) * grow;
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  return { x: cx - side / 2, y: cy - side / 2, width: side, height: side };
}

/** Averages the 68-point eye contours, takes the nose tip, and averages outer and inner mouth corners. */
export function reduceToFivePoints(points: readonly Point[]): FivePoints {
  const mean = (...indices: number[]): Point => {
    let x = 0;
    let y = 0;
    for (const i of indices) {
      x += points[i]!.x;
      y += points[i]!.y;
    }
    return { x: x / indices.length, y: y / indices.length };
  };
  return [mean(36, 37, 38, 39, 40, 41), mean(42, 43, 44, 45, 46, 47), mean(30), mean(48, 60), mean(54, 64)];
}

/**
 * The detector's box relative to the bounding box of its 68 points, measured on 40 LFW faces: same centre
 * horizontally, 0.16 of the points' height higher, 0.94× as wide and 1.39× as tall. Used to turn a hand-drawn
 * box, framed however the investigator likes, into the framing the landmark model was trained on.
 */
export function detectorBoxFromPoints(points: readonly Point[]): Box {
  let x1 = Infinity;
  let y1 = Infinity;
  let x2 = -Infinity;
  let y2 = -Infinity;
  for (const p of points) {
    x1 = Math.min(x1, p.x);
    y1 = Math.min(y1, p.y);
    x2 = Math.max(x2, p.x);
    y2 = Math.max(y2, p.y);
  }
  const w = x2 - x1;
  const h = y2 - y1;
  const cx = (x1 + x2) / 2;
  const cy = (y1 + y2) / 2 - 0.163 * h;
  return { x: cx - (0.94 * w) / 2, y: cy - (1.385 * h) / 2, width: 0.94 * w, height: 1.385 * h };
}

export function createLandmarkLocator(session: ModelSession, config: LandmarkConfig): LandmarkLocator {
  const size = config.inputSize;
  async function locateOnce(image: PixelImage, crop: Box): Promise<Point[]> {
    const patch = cropAndResize(image, crop, size, size, 0);
    const grey = toGrey(patch);
    for (let i = 0; i < grey.length; i++) grey[i] = (grey[i]! - config.mean) / config.scale;
    const out = requireOutput(await runSingleInput(session, grey, [1, 1, size, size]), config.outputName).data;
    const points: Point[] = [];
    for (let i = 0; i < 68; i++) {
      points.push({ x: crop.x + out[i * 2]! * crop.width, y: crop.y + out[i * 2 + 1]! * crop.height });
    }
    return points;
  }
  return {
    modelId: config.modelId,
    async locate(image: PixelImage, box: Box, options: { isManualBox?: boolean } = {}): Promise<FaceLandmarks> {
      let points68 = await locateOnce(image, squareAround(box));
      if (options.isManualBox) {
        // Two refinement passes re-frame the crop the way the detector would have, so a loose or tight
        // hand-drawn box gives the same landmarks as a detected one.
        for (let pass = 0; pass < 2; pass++) points68 = await locateOnce(image, squareAround(detectorBoxFromPoints(points68)));
      }
      return { points68, points5: reduceToFivePoints(points68) };
    },
  };
}
