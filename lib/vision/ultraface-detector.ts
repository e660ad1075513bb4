import type { DetectedFace, DetectOptions, FaceDetector } from './face-models';
import { type Box, clipBox, suppressNonMaxima } from './geometry';
import type { ModelSession } from './model-session';
import { requireOutput, runSingleInput } from './model-session';
import { assertPixelImage, cropAndResize, type Normalisation, type PixelImage, resizeImage, type RgbImage, toPlanarTensor } from './pixel-image';

// UltraFace RFB-320 sees a fixed 320×240 input, where its smallest anchors are 10–24 px. A CCTV frame
// shrunk to 320×240 turns a 24 px face into 4 px, so the image is searched as a pyramid: the whole frame
// first (large faces), then tiles of progressively less-reduced copies until the smallest wanted face is
// about `detectablePx` wide in the model's input. Boxes from all tiles and levels meet in one NMS.

export type UltraFaceConfig = {
  modelId: string;
  inputWidth: number;
  inputHeight: number;
  normalisation: Normalisation;
  scoresOutput: string;
  boxesOutput: string;
};

export const ultraFaceDefaults = {
  scoreThreshold: 0.6,
  minFaceSize: 24,
  maxFaces: 100,
  /**
   * Face width in model-input pixels that RFB-320 finds reliably, with margin for blur and noise. Measured
   * on 80 clean LFW faces pasted into a 320×240 frame: found 44 % of the time at ~10 px wide, 99 % at
   * ~13 px, 100 % from ~17 px.
   */
  detectablePx: 20,
  tileOverlap: 64,
  iouThreshold: 0.4,
  containmentThreshold: 0.8,
} as const;

type Level = { scale: number; isWhole: boolean };

/** Largest face (model-input pixels) a tiled level keeps; bigger ones are left to coarser levels. */
const largestTiledFacePx = 160;

/**
 * Levels from the finest needed for `minFaceSize` down, each 4× coarser than the last: a level keeps faces
 * from `detectablePx` to 160 input pixels (an 8× range), so 4× steps overlap with margin. Stops once the
 * whole-frame pass, which sees faces from detectablePx/fit upwards, covers what remains.
 */
export function planPyramid(width: number, height: number, inputW: number, inputH: number, minFaceSize: number, detectablePx: number): Level[] {
  const fit = Math.min(inputW / width, inputH / height);
  const levels: Level[] = [{ scale: fit, isWhole: true }];
  const wholeSmallest = detectablePx / fit;
  let scale = detectablePx / Math.max(1, minFaceSize);
  while (scale > fit * 1.25) {
    levels.push({ scale, isWhole: false });
    if ((largestTiledFacePx / scale) * 0.75 >= wholeSmallest * 1.5) break;
    scale /= 4;
  }
  return levels;
}

export function planTiles(length: number, tile: number, overlap: number): number[] {
  if (length <= tile) return [0];
  const stride = tile - overlap;
  const count = Math.ceil((length - overlap) / stride);
  const starts: number[] = [];
  for (let i = 0; i < count; i++) starts.push(Math.min(i * stride, length - tile));
  return [...new Set(starts)];
}

export function createUltraFaceDetector(session: ModelSession, config: UltraFaceConfig): FaceDetector {
  const { inputWidth: iw, inputHeight: ih } = config;

  async function detectInTile(tile: RgbImage, threshold: number): Promise<DetectedFace[]> {
    const data = toPlanarTensor(tile, config.normalisation);
    const outputs = await runSingleInput(session, data, [1, 3, ih, iw]);
    const scores = requireOutput(outputs, config.scoresOutput).data;
    const boxes = requireOutput(outputs, config.boxesOutput).data;
    const found: DetectedFace[] = [];
    const count = scores.length / 2;
    for (let i = 0; i < count; i++) {
      const score = scores[i * 2 + 1]!;
      if (score < threshold) continue;
      // Boxes come out as corners normalised to the input size.
      const x1 = boxes[i * 4]! * iw;
      const y1 = boxes[i * 4 + 1]! * ih;
      const x2 = boxes[i * 4 + 2]! * iw;
      const y2 = boxes[i * 4 + 3]! * ih;
      if (x2 - x1 < 2 || y2 - y1 < 2) continue;
      found.push({ box: { x: x1, y: y1, width: x2 - x1, height: y2 - y1 }, score });
    }
    return suppressNonMaxima(found, { iouThreshold: ultraFaceDefaults.iouThreshold });
  }

  return {
    modelId: config.modelId,
    async detect(image: PixelImage, options: DetectOptions = {}): Promise<DetectedFace[]> {
      assertPixelImage(image);
      const threshold = options.scoreThreshold ?? ultraFaceDefaults.scoreThreshold;
      const minFace = options.minFaceSize ?? ultraFaceDefaults.minFaceSize;
      const maxFaces = options.maxFaces ?? ultraFaceDefaults.maxFaces;
      const levels = planPyramid(image.width, image.height, iw, ih, minFace, ultraFaceDefaults.detectablePx);
      const all: DetectedFace[] = [];
      for (const level of levels) {
        if (options.signal?.aborted) throw options.signal.reason;
        const levelStarted = performance.now();
        let tiles = 0;
        const report = () => options.onLevel?.({ scale: level.scale, tiles, ms: performance.now() - levelStarted });
        if (level.isWhole) {
          // Letterbox rather than stretch: the detector was trained on undistorted faces.
          const region: Box = { x: 0, y: 0, width: iw / level.scale, height: ih / level.scale };
          const tile = cropAndResize(image, region, iw, ih);
          for (const f of await detectInTile(tile, threshold)) all.push(toSource(f, 0, 0, level.scale));
          tiles = 1;
          report();
          continue;
        }
        const lw = Math.max(1, Math.round(image.width * level.scale));
        const lh = Math.max(1, Math.round(image.height * level.scale));
        const sx = lw / image.width;
        const sy = lh / image.height;
        // Reducing levels are built once (block-averaged, anti-aliased); enlarging or near-1 levels sample
        // each tile straight from the source, which avoids materialising an upscaled copy of the frame.
        const scaled = level.scale < 0.5 ? resizeImage(image, lw, lh) : null;
        const overlap = ultraFaceDefaults.tileOverlap;
        for (const ty of planTiles(lh, ih, overlap)) {
          for (const tx of planTiles(lw, iw, overlap)) {
            const tile = scaled
              ? cropAndResize(scaled, { x: tx, y: ty, width: iw, height: ih }, iw, ih)
              : cropAndResize(image, { x: tx / sx, y: ty / sy, width: iw / sx, height: ih / sy }, iw, ih);
            tiles += 1;
            for (const f of await detectInTile(tile, threshold)) {
              // Coarser levels already cover big faces; and a box touching an inner tile edge is a cut-off
              // face that the neighbouring tile (overlap ≥ the largest face kept here) sees whole.
              if (f.box.width > largestTiledFacePx) continue;
              if (touchesInnerEdge(f.box, tx, ty, lw, lh, iw, ih)) continue;
              all.push({
                score: f.score,
                box: { x: (f.box.x + tx) / sx, y: (f.box.y + ty) / sy, width: f.box.width / sx, height: f.box.height / sy },
              });
            }
          }
        }
        report();
      }
      const merged = suppressNonMaxima(all, {
        iouThreshold: ultraFaceDefaults.iouThreshold,
        containmentThreshold: ultraFaceDefaults.containmentThreshold,
      })
        .map((f) => ({ ...f, box: clipBox(f.box, image.width, image.height) }))
        .filter((f) => f.box.width >= 2 && f.box.height >= 2);
      // Keep the most confident faces when a crowd exceeds the cap, then present the largest first.
      return merged
        .slice(0, maxFaces)
        .sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
    },
  };
}

function toSource(face: DetectedFace, ox: number, oy: number, scale: number): DetectedFace {
  return {
    score: face.score,
    box: { x: (face.box.x + ox) / scale, y: (face.box.y + oy) / scale, width: face.box.width / scale, height: face.box.height / scale },
  };
}

function touchesInnerEdge(box: Box, tx: number, ty: number, lw: number, lh: number, iw: number, ih: number): boolean {
  const margin = 2;
  if (tx > 0 && box.x < margin) return true;
  if (ty > 0 && box.y < margin) return true;
  if (tx + iw < lw && box.x + box.width > iw - margin) return true;
  if (ty + ih < lh && box.y + box.height > ih - margin) return true;
  return false;
}
