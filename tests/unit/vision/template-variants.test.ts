import { describe, expect, it } from 'vitest';
import { isGreyscaleCrop, toGreyscaleRgb } from '@/lib/vision/template-variants';
import type { RgbImage } from '@/lib/vision/pixel-image';

function image(pixel: (i: number) => [number, number, number], side = 16): RgbImage {
  const data = new Uint8Array(side * side * 3);
  for (let i = 0; i < side * side; i++) data.set(pixel(i), i * 3);
  return { width: side, height: side, channels: 3, data };
}

describe('greyscale probes', () => {
  it('a colour crop is not grey; its greyscale rendering is, with Rec. 601 luma', () => {
    const colour = image((i) => [200, (i * 7) % 256, 40]);
    expect(isGreyscaleCrop(colour)).toBe(false);
    const grey = toGreyscaleRgb(colour);
    expect(isGreyscaleCrop(grey)).toBe(true);
    expect(grey.data[0]).toBe(Math.round(0.299 * 200 + 0.587 * 0 + 0.114 * 40));
  });

  it('tolerates JPEG chroma rounding of a few levels and a handful of ringing pixels', () => {
    expect(isGreyscaleCrop(image((i) => [100, 103, 98 + (i % 3)]))).toBe(true);
    // 2 of 256 pixels coloured (0.8 %) is within the allowance; 8 (3 %) is not.
    expect(isGreyscaleCrop(image((i) => (i < 2 ? [200, 0, 0] : [90, 90, 90])))).toBe(true);
    expect(isGreyscaleCrop(image((i) => (i < 8 ? [200, 0, 0] : [90, 90, 90])))).toBe(false);
  });
});
