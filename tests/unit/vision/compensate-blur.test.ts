import { describe, expect, it } from 'vitest';
import { compensateBlur } from '@/lib/vision/face-pipeline';
import { varianceOfLaplacian } from '@/lib/vision/face-quality';
import type { FivePoints } from '@/lib/vision/face-models';
import { toGrey, unsharpMask, type RgbImage } from '@/lib/vision/pixel-image';

function checkerboard(size: number, cell: number): RgbImage {
  const data = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) data.fill((Math.floor(x / cell) + Math.floor(y / cell)) % 2 ? 150 : 110, (y * size + x) * 3, (y * size + x) * 3 + 3);
  return { width: size, height: size, channels: 3, data };
}

/** A crude blur (repeated box filter) so the test needs no image library. */
function blur(image: RgbImage, passes: number): RgbImage {
  let current = image;
  for (let pass = 0; pass < passes; pass++) {
    const { width, height, data } = current;
    const out = new Uint8Array(data.length);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < 3; c++) {
      let sum = 0;
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
        sum += data[(Math.min(height - 1, Math.max(0, y + dy)) * width + Math.min(width - 1, Math.max(0, x + dx))) * 3 + c]!;
      }
      out[(y * width + x) * 3 + c] = Math.round(sum / 9);
    }
    current = { width, height, channels: 3, data: out };
  }
  return current;
}

const sharpness = (image: RgbImage) => varianceOfLaplacian(toGrey(image), image.width, image.height);
const eyes = (distance: number): FivePoints => [
  { x: 38, y: 52 },
  { x: 38 + distance, y: 52 },
  { x: 56, y: 72 },
  { x: 42, y: 92 },
  { x: 70, y: 92 },
];

describe('compensateBlur', () => {
  const soft = blur(checkerboard(112, 16), 6);

  it('sharpens a soft crop of a face large enough to carry detail', () => {
    expect(sharpness(soft)).toBeLessThan(40);
    const result = compensateBlur(soft, eyes(35));
    expect(result).not.toBe(soft);
    expect(sharpness(result)).toBeGreaterThan(sharpness(soft));
  });

  it('leaves sharp crops and tiny faces exactly as they were', () => {
    const crisp = checkerboard(112, 4);
    expect(compensateBlur(crisp, eyes(35))).toBe(crisp);
    expect(compensateBlur(soft, eyes(10))).toBe(soft);
  });

  it('unsharp masking keeps a flat image flat', () => {
    const flat: RgbImage = { width: 8, height: 8, channels: 3, data: new Uint8Array(8 * 8 * 3).fill(128) };
    expect(Array.from(unsharpMask(flat, 2.5).data).every((value) => value === 128)).toBe(true);
  });
});
