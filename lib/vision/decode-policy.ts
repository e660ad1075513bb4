// Limits shared by both decoders so the browser and Node accept and refuse the same files.

export type DecodePolicy = {
  /**
   * Refuse outright above this, before decoding (decompression bombs: a 219 KB interlaced PNG can declare
   * 15000×15000). Nothing legitimate from CCTV or a custody photo is this large; the server's limit is
   * configurable (MAX_IMAGE_PIXELS), the browser's is this default.
   */
  maxInputPixels: number;
  /** Larger images are reduced to this many pixels before detection; the scale is recorded. */
  maxWorkingPixels: number;
  /** 'refuse' by default: a clip's first frame is not necessarily the frame the investigator means. */
  animated: 'refuse' | 'first-frame';
};

export const defaultDecodePolicy: DecodePolicy = {
  maxInputPixels: 40_000_000,
  maxWorkingPixels: 16_777_216,
  animated: 'refuse',
};

export type DecodedImageInfo = {
  format: string;
  /** Size as stored, after EXIF orientation. */
  originalWidth: number;
  originalHeight: number;
  /** Working size divided by original size (1 when not reduced); multiply working coordinates by 1/scale for originals. */
  scale: number;
  isAnimated: boolean;
};

export function planWorkingSize(width: number, height: number, maxPixels: number): { width: number; height: number; scale: number } {
  const pixels = width * height;
  if (pixels <= maxPixels) return { width, height, scale: 1 };
  const scale = Math.sqrt(maxPixels / pixels);
  const w = Math.max(1, Math.floor(width * scale));
  const h = Math.max(1, Math.floor(height * scale));
  return { width: w, height: h, scale: w / width };
}
