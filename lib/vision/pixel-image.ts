import type { Affine, Box } from './geometry';
import { VisionError } from './vision-error';

/**
 * A decoded image in memory: interleaved 8-bit RGB or RGBA, row-major, no padding. Both runtimes produce
 * it (sharp in Node, OffscreenCanvas in the browser) so everything after decoding is shared.
 */
export type PixelImage = {
  width: number;
  height: number;
  channels: 3 | 4;
  data: Uint8Array | Uint8ClampedArray;
};

export type RgbImage = PixelImage & { channels: 3 };

export function assertPixelImage(image: PixelImage): void {
  if (!Number.isInteger(image.width) || !Number.isInteger(image.height) || image.width < 1 || image.height < 1) {
    throw new VisionError('EMPTY_IMAGE', `The image has no pixels (${image.width}×${image.height}).`);
  }
  if (image.data.length !== image.width * image.height * image.channels) {
    throw new VisionError('DECODE_FAILED', 'The decoded pixel buffer does not match the image size.');
  }
}

/** Drops alpha (or copies RGB): the models are trained on opaque RGB. */
export function toRgb(image: PixelImage): RgbImage {
  if (image.channels === 3) return image as RgbImage;
  const n = image.width * image.height;
  const out = new Uint8Array(n * 3);
  const src = image.data;
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    out[i * 3] = src[j]!;
    out[i * 3 + 1] = src[j + 1]!;
    out[i * 3 + 2] = src[j + 2]!;
  }
  return { width: image.width, height: image.height, channels: 3, data: out };
}

export function toRgba(image: PixelImage): PixelImage & { channels: 4 } {
  if (image.channels === 4) return image as PixelImage & { channels: 4 };
  const n = image.width * image.height;
  const out = new Uint8ClampedArray(n * 4);
  const src = image.data;
  for (let i = 0; i < n; i++) {
    out[i * 4] = src[i * 3]!;
    out[i * 4 + 1] = src[i * 3 + 1]!;
    out[i * 4 + 2] = src[i * 3 + 2]!;
    out[i * 4 + 3] = 255;
  }
  return { width: image.width, height: image.height, channels: 4, data: out };
}

/** ITU-R BT.601 luma, the weights OpenCV's BGR2GRAY uses (what the landmark model was trained with). */
export function toGrey(image: PixelImage): Float32Array {
  const n = image.width * image.height;
  const c = image.channels;
  const src = image.data;
  const out = new Float32Array(n);
  for (let i = 0, j = 0; i < n; i++, j += c) {
    out[i] = 0.299 * src[j]! + 0.587 * src[j + 1]! + 0.114 * src[j + 2]!;
  }
  return out;
}

/**
 * Inverse-mapped bilinear warp: for each output pixel centre, `srcFromDst` gives the source position.
 * Pixels falling outside the source take `fill`. One routine serves resizing, cropping and alignment,
 * so Node and the browser produce bit-identical model inputs.
 */
export function warpAffine(image: PixelImage, srcFromDst: Affine, width: number, height: number, fill = 0): RgbImage {
  const out = new Uint8Array(width * height * 3);
  const { width: sw, height: sh, channels: c, data: src } = image;
  const [a, b, tx, d, e, ty] = srcFromDst;
  const rowStride = sw * c;
  for (let v = 0; v < height; v++) {
    for (let u = 0; u < width; u++) {
      // Pixel centres sit at integer + 0.5 in both spaces.
      const x = a * (u + 0.5) + b * (v + 0.5) + tx - 0.5;
      const y = d * (u + 0.5) + e * (v + 0.5) + ty - 0.5;
      const o = (v * width + u) * 3;
      const x0 = Math.floor(x);
      const y0 = Math.floor(y);
      const fx = x - x0;
      const fy = y - y0;
      if (x0 >= 0 && y0 >= 0 && x0 + 1 < sw && y0 + 1 < sh) {
        // Interior: all four neighbours exist; no per-sample bounds checks.
        const i00 = y0 * rowStride + x0 * c;
        const i01 = i00 + rowStride;
        for (let ch = 0; ch < 3; ch++) {
          const p00 = src[i00 + ch]!;
          const p10 = src[i00 + c + ch]!;
          const p01 = src[i01 + ch]!;
          const p11 = src[i01 + c + ch]!;
          const top = p00 + (p10 - p00) * fx;
          const bottom = p01 + (p11 - p01) * fx;
          out[o + ch] = Math.round(top + (bottom - top) * fy);
        }
        continue;
      }
      if (x < -1 || y < -1 || x > sw || y > sh) {
        out[o] = fill;
        out[o + 1] = fill;
        out[o + 2] = fill;
        continue;
      }
      for (let ch = 0; ch < 3; ch++) {
        const p00 = sampleOrFill(src, sw, sh, c, x0, y0, ch, fill);
        const p10 = sampleOrFill(src, sw, sh, c, x0 + 1, y0, ch, fill);
        const p01 = sampleOrFill(src, sw, sh, c, x0, y0 + 1, ch, fill);
        const p11 = sampleOrFill(src, sw, sh, c, x0 + 1, y0 + 1, ch, fill);
        const top = p00 + (p10 - p00) * fx;
        const bottom = p01 + (p11 - p01) * fx;
        out[o + ch] = Math.round(top + (bottom - top) * fy);
      }
    }
  }
  return { width, height, channels: 3, data: out };
}

function sampleOrFill(
  src: Uint8Array | Uint8ClampedArray,
  w: number,
  h: number,
  c: number,
  x: number,
  y: number,
  ch: number,
  fill: number,
): number {
  // Replicate the border for the half-pixel fringe, fill beyond it: avoids dark seams at image edges.
  if (x < -1 || y < -1 || x > w || y > h) return fill;
  const cx = x < 0 ? 0 : x >= w ? w - 1 : x;
  const cy = y < 0 ? 0 : y >= h ? h - 1 : y;
  return src[(cy * w + cx) * c + ch]!;
}

/**
 * Axis-aligned bilinear resample (scale + translate only), separable so weights are computed once per
 * row and column. Gives the same values as `warpAffine` with a diagonal matrix, several times faster:
 * detection tiles and pyramid levels go through here.
 */
function resampleAxisAligned(image: PixelImage, region: Box, width: number, height: number, fill: number): RgbImage {
  const { width: sw, height: sh, channels: c, data: src } = image;
  if (region.width === width && region.height === height && Number.isInteger(region.x) && Number.isInteger(region.y) && c === 3) {
    return copyWindow(image, region.x, region.y, width, height, fill);
  }
  const sx = region.width / width;
  const sy = region.height / height;
  const xi = new Int32Array(width * 2);
  const xw = new Float32Array(width);
  const xOut = new Uint8Array(width);
  for (let u = 0; u < width; u++) {
    const x = sx * (u + 0.5) + region.x - 0.5;
    const x0 = Math.floor(x);
    xw[u] = x - x0;
    xOut[u] = x < -1 || x > sw ? 1 : 0;
    xi[u * 2] = Math.min(sw - 1, Math.max(0, x0)) * c;
    xi[u * 2 + 1] = Math.min(sw - 1, Math.max(0, x0 + 1)) * c;
  }
  const out = new Uint8Array(width * height * 3);
  if (fill !== 0) out.fill(fill);
  for (let v = 0; v < height; v++) {
    const y = sy * (v + 0.5) + region.y - 0.5;
    if (y < -1 || y > sh) continue;
    const y0 = Math.floor(y);
    const fy = y - y0;
    const r0 = Math.min(sh - 1, Math.max(0, y0)) * sw * c;
    const r1 = Math.min(sh - 1, Math.max(0, y0 + 1)) * sw * c;
    let o = v * width * 3;
    for (let u = 0; u < width; u++, o += 3) {
      if (xOut[u]) continue;
      const fx = xw[u]!;
      const a0 = r0 + xi[u * 2]!;
      const a1 = r0 + xi[u * 2 + 1]!;
      const b0 = r1 + xi[u * 2]!;
      const b1 = r1 + xi[u * 2 + 1]!;
      for (let ch = 0; ch < 3; ch++) {
        const top = src[a0 + ch]! + (src[a1 + ch]! - src[a0 + ch]!) * fx;
        const bottom = src[b0 + ch]! + (src[b1 + ch]! - src[b0 + ch]!) * fx;
        out[o + ch] = (top + (bottom - top) * fy + 0.5) | 0;
      }
    }
  }
  return { width, height, channels: 3, data: out };
}

/** Whole-pixel window copy (a detection tile of an already-scaled level), filling outside the image. */
function copyWindow(image: PixelImage, x: number, y: number, width: number, height: number, fill: number): RgbImage {
  const out = new Uint8Array(width * height * 3);
  if (fill !== 0) out.fill(fill);
  const x0 = Math.max(0, x);
  const x1 = Math.min(image.width, x + width);
  if (x1 <= x0) return { width, height, channels: 3, data: out };
  for (let row = 0; row < height; row++) {
    const sy = y + row;
    if (sy < 0 || sy >= image.height) continue;
    const start = (sy * image.width + x0) * 3;
    out.set(image.data.subarray(start, start + (x1 - x0) * 3), (row * width + (x0 - x)) * 3);
  }
  return { width, height, channels: 3, data: out };
}

/** Crops `region` (may extend past the image; outside is filled) and resizes it to width×height. */
export function cropAndResize(image: PixelImage, region: Box, width: number, height: number, fill = 0): RgbImage {
  const factor = Math.min(region.width / width, region.height / height);
  const source = factor >= 2 ? shrinkForResampling(image, region, factor) : { image, region };
  return resampleAxisAligned(source.image, source.region, width, height, fill);
}

export function resizeImage(image: PixelImage, width: number, height: number): RgbImage {
  return cropAndResize(image, { x: 0, y: 0, width: image.width, height: image.height }, width, height);
}

/**
 * Bilinear sampling at more than 2× reduction skips pixels and aliases fine detail; averaging integer blocks
 * of the needed region first keeps what the models see close to a properly filtered thumbnail.
 */
export function shrinkForResampling(image: PixelImage, region: Box, factor: number): { image: PixelImage; region: Box } {
  const k = Math.floor(factor);
  if (k < 2) return { image, region };
  const x0 = Math.max(0, Math.floor(region.x));
  const y0 = Math.max(0, Math.floor(region.y));
  const x1 = Math.min(image.width, Math.ceil(region.x + region.width));
  const y1 = Math.min(image.height, Math.ceil(region.y + region.height));
  if (x1 - x0 < k || y1 - y0 < k) return { image, region };
  const isWhole = x0 === 0 && y0 === 0 && x1 === image.width && y1 === image.height;
  const sub = isWhole ? image : extractRegion(image, { x: x0, y: y0, width: x1 - x0, height: y1 - y0 });
  return {
    image: downscaleByBlocks(sub, k),
    region: { x: (region.x - x0) / k, y: (region.y - y0) / k, width: region.width / k, height: region.height / k },
  };
}

/** Integer-pixel crop, no resampling; `box` must lie inside the image. */
export function extractRegion(image: PixelImage, box: Box): RgbImage {
  const { x, y, width, height } = box;
  const out = new Uint8Array(width * height * 3);
  const c = image.channels;
  for (let row = 0; row < height; row++) {
    let s = ((y + row) * image.width + x) * c;
    let o = row * width * 3;
    for (let col = 0; col < width; col++, s += c, o += 3) {
      out[o] = image.data[s]!;
      out[o + 1] = image.data[s + 1]!;
      out[o + 2] = image.data[s + 2]!;
    }
  }
  return { width, height, channels: 3, data: out };
}

/** Box-filter reduction by an integer factor; partial blocks at the right and bottom edges average what exists. */
export function downscaleByBlocks(image: PixelImage, k: number): RgbImage {
  const w = Math.max(1, Math.ceil(image.width / k));
  const h = Math.max(1, Math.ceil(image.height / k));
  const out = new Uint8Array(w * h * 3);
  const c = image.channels;
  const src = image.data;
  const sums = new Float64Array(w * 3);
  for (let y = 0; y < h; y++) {
    sums.fill(0);
    const rows = Math.min(k, image.height - y * k);
    for (let dy = 0; dy < rows; dy++) {
      let s = (y * k + dy) * image.width * c;
      for (let sx = 0; sx < image.width; sx++, s += c) {
        const o = Math.floor(sx / k) * 3;
        sums[o] = sums[o]! + src[s]!;
        sums[o + 1] = sums[o + 1]! + src[s + 1]!;
        sums[o + 2] = sums[o + 2]! + src[s + 2]!;
      }
    }
    for (let x = 0; x < w; x++) {
      const count = rows * Math.min(k, image.width - x * k);
      const o = x * 3;
      const base = (y * w + x) * 3;
      out[base] = Math.round(sums[o]! / count);
      out[base + 1] = Math.round(sums[o + 1]! / count);
      out[base + 2] = Math.round(sums[o + 2]! / count);
    }
  }
  return { width: w, height: h, channels: 3, data: out };
}

export type Normalisation = {
  /** Per-channel value subtracted before dividing, in 0–255 units, in the model's channel order. */
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
  channelOrder: 'rgb' | 'bgr';
};

/** Planar (NCHW, N=1) float tensor data from an RGB image. */
export function toPlanarTensor(image: RgbImage, norm: Normalisation): Float32Array {
  const n = image.width * image.height;
  const out = new Float32Array(n * 3);
  const order = norm.channelOrder === 'rgb' ? [0, 1, 2] : [2, 1, 0];
  for (let plane = 0; plane < 3; plane++) {
    const ch = order[plane]!;
    const mean = norm.mean[plane]!;
    const std = norm.std[plane]!;
    const offset = plane * n;
    for (let i = 0; i < n; i++) out[offset + i] = (image.data[i * 3 + ch]! - mean) / std;
  }
  return out;
}

/** Luma percentiles from a strided sample (enough for exposure decisions, cheap on a 16 MP frame). */
export function measureLevels(image: PixelImage, low = 0.01, high = 0.99): { low: number; high: number; mean: number } {
  const n = image.width * image.height;
  const step = Math.max(1, Math.floor(n / 200_000));
  const histogram = new Uint32Array(256);
  let count = 0;
  let sum = 0;
  const c = image.channels;
  for (let i = 0; i < n; i += step) {
    const j = i * c;
    const y = (0.299 * image.data[j]! + 0.587 * image.data[j + 1]! + 0.114 * image.data[j + 2]! + 0.5) | 0;
    histogram[y] = histogram[y]! + 1;
    sum += y;
    count++;
  }
  const at = (q: number) => {
    const target = q * count;
    let seen = 0;
    for (let v = 0; v < 256; v++) {
      seen += histogram[v]!;
      if (seen >= target) return v;
    }
    return 255;
  };
  return { low: at(low), high: at(high), mean: sum / Math.max(1, count) };
}

/** Linear stretch of the given luma range to 0–255 on all channels (keeps hue; clips the tails). */
export function stretchLevels(image: PixelImage, low: number, high: number): RgbImage {
  const rgb = toRgb(image);
  const out = new Uint8Array(rgb.data.length);
  const gain = 255 / Math.max(1, high - low);
  for (let i = 0; i < out.length; i++) out[i] = Math.min(255, Math.max(0, (rgb.data[i]! - low) * gain + 0.5)) | 0;
  return { width: rgb.width, height: rgb.height, channels: 3, data: out };
}

/**
 * 3×3 binomial blur (σ ≈ 0.85 px) per channel, edges clamped, unrounded: the unsharp mask subtracts it
 * from the image, and the degraded study rounds it to use it as a smoothing filter.
 */
export function binomialBlur3(image: RgbImage): Float64Array {
  const { width, height, data } = image;
  const out = new Float64Array(data.length);
  const kernel = [1, 2, 1, 2, 4, 2, 1, 2, 1];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let dy = -1; dy <= 1; dy++) {
          const yy = Math.min(height - 1, Math.max(0, y + dy));
          for (let dx = -1; dx <= 1; dx++) {
            const xx = Math.min(width - 1, Math.max(0, x + dx));
            sum += kernel[(dy + 1) * 3 + dx + 1]! * data[(yy * width + xx) * 3 + c]!;
          }
        }
        out[(y * width + x) * 3 + c] = sum / 16;
      }
    }
  }
  return out;
}

/** Unsharp mask with a 3×3 binomial blur: out = in + amount × (in − blurred), per channel, edges clamped. */
export function unsharpMask(image: RgbImage, amount: number): RgbImage {
  const { width, height, data } = image;
  const blurred = binomialBlur3(image);
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const value = data[i]!;
    out[i] = Math.max(0, Math.min(255, Math.round(value + amount * (value - blurred[i]!))));
  }
  return { width, height, channels: 3, data: out };
}

/**
 * 3×3 median per channel, edges clamped. Each window's median comes from a fixed 19-exchange network
 * (the classic nine-element median selection), not a sort: ~10× faster in JS on a 112×112 crop.
 */
export function medianFilter3(image: RgbImage): RgbImage {
  const { width, height, data } = image;
  const out = new Uint8Array(data.length);
  const stride = width * 3;
  for (let y = 0; y < height; y++) {
    const up = (y > 0 ? y - 1 : 0) * stride;
    const mid = y * stride;
    const down = (y < height - 1 ? y + 1 : y) * stride;
    for (let x = 0; x < width; x++) {
      const l = (x > 0 ? x - 1 : 0) * 3;
      const m = x * 3;
      const r = (x < width - 1 ? x + 1 : x) * 3;
      for (let c = 0; c < 3; c++) {
        let p0 = data[up + l + c]!, p1 = data[up + m + c]!, p2 = data[up + r + c]!;
        let p3 = data[mid + l + c]!, p4 = data[mid + m + c]!, p5 = data[mid + r + c]!;
        let p6 = data[down + l + c]!, p7 = data[down + m + c]!, p8 = data[down + r + c]!;
        let t: number;
        if (p1 > p2) { t = p1; p1 = p2; p2 = t; }
        if (p4 > p5) { t = p4; p4 = p5; p5 = t; }
        if (p7 > p8) { t = p7; p7 = p8; p8 = t; }
        if (p0 > p1) { t = p0; p0 = p1; p1 = t; }
        if (p3 > p4) { t = p3; p3 = p4; p4 = t; }
        if (p6 > p7) { t = p6; p6 = p7; p7 = t; }
        if (p1 > p2) { t = p1; p1 = p2; p2 = t; }
        if (p4 > p5) { t = p4; p4 = p5; p5 = t; }
        if (p7 > p8) { t = p7; p7 = p8; p8 = t; }
        if (p0 > p3) p3 = p0;
        if (p5 > p8) p5 = p8;
        if (p4 > p7) { t = p4; p4 = p7; p7 = t; }
        if (p3 > p6) { t = p3; p3 = p6; p6 = t; }
        if (p1 > p4) p4 = p1;
        if (p2 > p5) p2 = p5;
        if (p4 > p7) p4 = p7;
        if (p4 > p2) { t = p4; p4 = p2; p2 = t; }
        if (p6 > p4) p4 = p6;
        if (p4 > p2) p4 = p2;
        out[mid + m + c] = p4;
      }
    }
  }
  return { width, height, channels: 3, data: out };
}
