import type { RgbImage } from './pixel-image';

// Many CCTV cameras record in monochrome (night / infra-red mode, or by configuration). A greyscale probe
// compared with colour gallery photographs loses the colour cues the recogniser learnt; comparing it with
// greyscale renderings of the gallery faces removes that mismatch.

/** Largest channel difference, in grey levels, still counted as grey (JPEG chroma rounding leaves a few). */
const GREY_CHANNEL_TOLERANCE = 6;
/** Share of pixels allowed to exceed the tolerance (compression ringing near edges). */
const GREY_OUTLIER_SHARE = 0.01;

/** True when the aligned crop carries no colour: every pixel's channels agree within a few grey levels. */
export function isGreyscaleCrop(image: RgbImage): boolean {
  const { data } = image;
  let outliers = 0;
  const pixels = data.length / 3;
  for (let i = 0; i < data.length; i += 3) {
    const r = data[i]!;
    const g = data[i + 1]!;
    const b = data[i + 2]!;
    if (Math.max(r, g, b) - Math.min(r, g, b) > GREY_CHANNEL_TOLERANCE) outliers++;
  }
  return outliers <= pixels * GREY_OUTLIER_SHARE;
}

/** The crop as a greyscale camera would record it (Rec. 601 luma in all three channels, as sharp and libjpeg do). */
export function toGreyscaleRgb(image: RgbImage): RgbImage {
  const out = new Uint8Array(image.data.length);
  const { data } = image;
  for (let i = 0; i < data.length; i += 3) {
    const y = Math.round(0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!);
    out[i] = y;
    out[i + 1] = y;
    out[i + 2] = y;
  }
  return { width: image.width, height: image.height, channels: 3, data: out };
}
