import type { FivePoints } from '@/lib/vision/face-models';
import type { FacePipeline } from '@/lib/vision/face-pipeline';
import { mirrorImage } from '@/lib/vision/face-recognizer';
import type { Affine, Box, Point } from '@/lib/vision/geometry';
import { reduceToFivePoints, squareAround } from '@/lib/vision/landmark-locator';
import { binomialBlur3, medianFilter3, type PixelImage, type RgbImage, toGrey, toRgb, warpAffine } from '@/lib/vision/pixel-image';

// Candidate probe-side renderings for issue 11 §2 (second round), all computed on the 112×112 aligned crop
// so that what proves useful could run identically in the browser and in the server's re-embedding of the
// submitted crop (the server never sees the original frame). Each returns a new crop; none is shipped.

/** A similarity about the crop centre: `scale` > 1 enlarges the face, `degrees` rotates it, shift in crop pixels. */
export function perturbCrop(image: RgbImage, perturbation: { scale?: number; degrees?: number; dx?: number; dy?: number }): RgbImage {
  const s = perturbation.scale ?? 1;
  const t = ((perturbation.degrees ?? 0) * Math.PI) / 180;
  const cx = image.width / 2;
  const cy = image.height / 2;
  // src = c + R(−t)(dst − c)/s − shift
  const a = Math.cos(t) / s;
  const b = Math.sin(t) / s;
  const srcFromDst: Affine = [a, b, cx - a * cx - b * cy - (perturbation.dx ?? 0), -b, a, cy + b * cx - a * cy - (perturbation.dy ?? 0)];
  return warpAffine(image, srcFromDst, image.width, image.height, 0);
}

/** The crop-space test-time hypotheses measured: ±6 % scale, ±5° roll (2 px shifts left out for CPU time). */
export const CROP_HYPOTHESES = {
  's0.94': { scale: 0.94 },
  's1.06': { scale: 1.06 },
  'r+5': { degrees: 5 },
  'r-5': { degrees: -5 },
} as const;

/** 3×3 binomial (σ ≈ 0.85 px): the lightest smoothing of 8×8 block edges (the unsharp mask's blur, rounded). */
export function gaussian3(image: RgbImage): RgbImage {
  return { width: image.width, height: image.height, channels: 3, data: Uint8Array.from(binomialBlur3(image), Math.round) };
}

/** 5×5 bilateral filter (spatial σ 1.5 px, range σ 20 grey levels): smooths blocks and noise, keeps edges. */
export function bilateral5(image: RgbImage, rangeSigma = 20, spaceSigma = 1.5): RgbImage {
  const { width, height, data } = image;
  const out = new Uint8Array(data.length);
  const grey = toGrey(image);
  const space: number[] = [];
  for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) space.push(Math.exp(-(dx * dx + dy * dy) / (2 * spaceSigma * spaceSigma)));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const centre = grey[y * width + x]!;
      const sums = [0, 0, 0];
      let weights = 0;
      let k = 0;
      for (let dy = -2; dy <= 2; dy++) {
        const yy = Math.min(height - 1, Math.max(0, y + dy));
        for (let dx = -2; dx <= 2; dx++, k++) {
          const xx = Math.min(width - 1, Math.max(0, x + dx));
          const j = yy * width + xx;
          const diff = grey[j]! - centre;
          const w = space[k]! * Math.exp(-(diff * diff) / (2 * rangeSigma * rangeSigma));
          weights += w;
          for (let c = 0; c < 3; c++) sums[c]! += w * data[j * 3 + c]!;
        }
      }
      for (let c = 0; c < 3; c++) out[(y * width + x) * 3 + c] = Math.round(sums[c]! / weights);
    }
  }
  return { width, height, channels: 3, data: out };
}

/** Luma histogram equalisation over the crop's face region, the same luma gain applied to R, G and B. */
export function equaliseHistogram(image: RgbImage): RgbImage {
  const grey = toGrey(image);
  const { width, height } = image;
  const histogram = new Float64Array(256);
  let n = 0;
  for (let y = Math.round(height * 0.2); y < Math.round(height * 0.95); y++) {
    for (let x = Math.round(width * 0.15); x < Math.round(width * 0.85); x++) {
      histogram[Math.min(255, Math.round(grey[y * width + x]!))]! += 1;
      n++;
    }
  }
  const map = new Float64Array(256);
  let seen = 0;
  for (let v = 0; v < 256; v++) {
    seen += histogram[v]!;
    map[v] = (255 * seen) / n;
  }
  return applyLumaMap(image, grey, map);
}

/** Gamma that brings the face region's mean luma to 110 (of 255). */
export function normaliseGamma(image: RgbImage, target = 110): RgbImage {
  const grey = toGrey(image);
  const { width, height } = image;
  let sum = 0;
  let n = 0;
  for (let y = Math.round(height * 0.3); y < Math.round(height * 0.9); y++) {
    for (let x = Math.round(width * 0.25); x < Math.round(width * 0.75); x++) {
      sum += grey[y * width + x]!;
      n++;
    }
  }
  const mean = Math.min(250, Math.max(5, sum / n));
  const gamma = Math.log(target / 255) / Math.log(mean / 255);
  const map = new Float64Array(256);
  for (let v = 0; v < 256; v++) map[v] = 255 * Math.pow(v / 255, gamma);
  return applyLumaMap(image, grey, map);
}

function applyLumaMap(image: RgbImage, grey: Float32Array, map: Float64Array): RgbImage {
  const out = new Uint8Array(image.data.length);
  for (let i = 0; i < grey.length; i++) {
    const y = grey[i]!;
    const target = map[Math.min(255, Math.round(y))]!;
    const shift = target - y;
    for (let c = 0; c < 3; c++) out[i * 3 + c] = Math.max(0, Math.min(255, Math.round(image.data[i * 3 + c]! + shift)));
  }
  return { width: image.width, height: image.height, channels: 3, data: out };
}

/** Per-channel median over a (2r+1)² window (round four: the 5×5 one). */
export function medianOf(image: RgbImage, radius: number): RgbImage {
  const { width, height, data } = image;
  const out = new Uint8Array(data.length);
  const side = 2 * radius + 1;
  const window = new Array<number>(side * side);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        let k = 0;
        for (let dy = -radius; dy <= radius; dy++) {
          const yy = Math.min(height - 1, Math.max(0, y + dy));
          for (let dx = -radius; dx <= radius; dx++) window[k++] = data[(yy * width + Math.min(width - 1, Math.max(0, x + dx))) * 3 + c]!;
        }
        window.sort((p, q) => p - q);
        out[(y * width + x) * 3 + c] = window[(window.length - 1) / 2]!;
      }
    }
  }
  return { width, height, channels: 3, data: out };
}

/** Halve by 2×2 means and enlarge back bilinearly: a low-pass that keeps nothing finer than 56 px across the crop. */
export function resampleHalf(image: RgbImage): RgbImage {
  const { width, height, data } = image;
  const w = width >> 1;
  const h = height >> 1;
  const small = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) {
    const at = (yy: number, xx: number) => data[(yy * width + xx) * 3 + c]!;
    small[(y * w + x) * 3 + c] = (at(2 * y, 2 * x) + at(2 * y, 2 * x + 1) + at(2 * y + 1, 2 * x) + at(2 * y + 1, 2 * x + 1)) / 4;
  }
  const out = new Uint8Array(data.length);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(h - 1, Math.max(0, (y + 0.5) / 2 - 0.5));
    const y0 = Math.floor(sy);
    const y1 = Math.min(h - 1, y0 + 1);
    const fy = sy - y0;
    for (let x = 0; x < width; x++) {
      const sx = Math.min(w - 1, Math.max(0, (x + 0.5) / 2 - 0.5));
      const x0 = Math.floor(sx);
      const x1 = Math.min(w - 1, x0 + 1);
      const fx = sx - x0;
      for (let c = 0; c < 3; c++) {
        const v = (1 - fy) * ((1 - fx) * small[(y0 * w + x0) * 3 + c]! + fx * small[(y0 * w + x1) * 3 + c]!) + fy * ((1 - fx) * small[(y1 * w + x0) * 3 + c]! + fx * small[(y1 * w + x1) * 3 + c]!);
        out[(y * width + x) * 3 + c] = Math.round(v);
      }
    }
  }
  return { width, height, channels: 3, data: out };
}

// Each filter replaces the aligned crop before `embedAlignedFace`, which since round four applies the
// product's own 3×3 median as well: measured today, 'median3' is the median twice (round four's figures
// were taken before it shipped).
export const CROP_FILTERS = {
  gauss3: gaussian3,
  median3: medianFilter3,
  bilateral5,
  histeq: equaliseHistogram,
  gamma: normaliseGamma,
  // Round four: stronger and combined denoising.
  'median3x2': (image: RgbImage) => medianFilter3(medianFilter3(image)),
  median5: (image: RgbImage) => medianOf(image, 2),
  'bilateral5-r30': (image: RgbImage) => bilateral5(image, 30),
  'bilateral5-r45': (image: RgbImage) => bilateral5(image, 45),
  'median3+bilateral5': (image: RgbImage) => bilateral5(medianFilter3(image)),
  'resample-half': resampleHalf,
} as const satisfies Record<string, (image: RgbImage) => RgbImage>;
export type CropFilterName = keyof typeof CROP_FILTERS;

/** Five points expressed relative to the detector box (x, y in box widths / heights), for box-only alignment. */
export function pointsInBox(points: FivePoints, box: { x: number; y: number; width: number; height: number }): number[] {
  return points.flatMap((p) => [(p.x - box.x) / box.width, (p.y - box.y) / box.height]);
}

export function pointsFromBox(relative: readonly number[], box: { x: number; y: number; width: number; height: number }): FivePoints {
  const p = (i: number) => ({ x: box.x + relative[2 * i]! * box.width, y: box.y + relative[2 * i + 1]! * box.height });
  return [p(0), p(1), p(2), p(3), p(4)];
}

/**
 * Where each iBUG 68 point goes when the face is mirrored left to right: the jaw, brows, nostrils, eyes and
 * mouth swap sides; the nose bridge and the mouth's centre line stay.
 */
const MIRRORED_68: readonly number[] = (() => {
  const map = Array.from({ length: 68 }, (_, i) => i);
  const swap = (a: number, b: number) => {
    map[a] = b;
    map[b] = a;
  };
  for (let i = 0; i < 8; i++) swap(i, 16 - i);
  for (let i = 0; i < 5; i++) swap(17 + i, 26 - i);
  const pairs = [[31, 35], [32, 34], [36, 45], [37, 44], [38, 43], [39, 42], [40, 47], [41, 46], [48, 54], [49, 53], [50, 52], [55, 59], [56, 58], [60, 64], [61, 63], [65, 67]] as const;
  for (const [a, b] of pairs) swap(a, b);
  return map;
})();

/** Round three: how many looks the landmark net takes at a face before its 68 points are averaged. */
export type LandmarkAveraging = 'mirror' | 'mirror+scale';

/**
 * The shipped locator's points averaged over the face and its mirror image (and, for 'mirror+scale', the
 * landmark crop drawn 7 % tighter and looser): less landmark noise on soft, small faces, for 2 or 6 passes
 * of the 64×64 landmark net. Measured in round three; not in the product (it did not help).
 */
export async function locateAveragedLandmarks(pipeline: Pick<FacePipeline, 'locateLandmarks'>, image: PixelImage, box: Box, averaging: LandmarkAveraging): Promise<FivePoints> {
  const rgb = toRgb(image);
  const mirrored = mirrorImage(rgb);
  const looks: Point[][] = [];
  for (const grow of averaging === 'mirror' ? [1] : [1, 0.93, 1.07]) {
    // A square box is its own landmark crop, so the framing passes through the locator unchanged.
    const square = squareAround(box, grow);
    looks.push((await pipeline.locateLandmarks(rgb, square)).points68);
    const flipped = (await pipeline.locateLandmarks(mirrored, { ...square, x: rgb.width - square.x - square.width })).points68;
    const unflipped: Point[] = new Array(68);
    flipped.forEach((p, i) => (unflipped[MIRRORED_68[i]!] = { x: rgb.width - p.x, y: p.y }));
    looks.push(unflipped);
  }
  const mean = looks[0]!.map((_, i) => ({ x: looks.reduce((sum, look) => sum + look[i]!.x, 0) / looks.length, y: looks.reduce((sum, look) => sum + look[i]!.y, 0) / looks.length }));
  return reduceToFivePoints(mean);
}
