import { describe, expect, it } from 'vitest';
import {
  cropAndResize,
  downscaleByBlocks,
  medianFilter3,
  type PixelImage,
  type RgbImage,
  toGrey,
  toPlanarTensor,
  toRgb,
  warpAffine,
} from '@/lib/vision/pixel-image';

function gradient(width: number, height: number): PixelImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      data[o] = x % 256;
      data[o + 1] = y % 256;
      data[o + 2] = 7;
    }
  return { width, height, channels: 3, data };
}

describe('pixel images', () => {
  it('identity warp reproduces the image exactly', () => {
    const img = gradient(17, 9);
    const out = warpAffine(img, [1, 0, 0, 0, 1, 0], 17, 9);
    expect(Array.from(out.data)).toEqual(Array.from(img.data));
  });

  it('a translation by whole pixels shifts content and fills what falls outside', () => {
    const img = gradient(10, 10);
    const out = warpAffine(img, [1, 0, 3, 0, 1, 0], 10, 10, 0);
    expect(out.data[0]).toBe(3); // output x=0 samples source x=3
    expect(out.data[(0 * 10 + 9) * 3 + 2]).toBe(0); // source x=12: beyond the fringe → fill
  });

  it('block downscale averages each k×k block, including partial edge blocks', () => {
    const img: PixelImage = { width: 3, height: 2, channels: 3, data: new Uint8Array([0, 0, 0, 10, 10, 10, 100, 100, 100, 20, 20, 20, 30, 30, 30, 200, 200, 200]) };
    const out = downscaleByBlocks(img, 2);
    expect(out.width).toBe(2);
    expect(out.height).toBe(1);
    expect(out.data[0]).toBe(15); // (0+10+20+30)/4
    expect(out.data[3]).toBe(150); // (100+200)/2
  });

  it('crop-and-resize by a large factor gives the block mean of a flat region', () => {
    const data = new Uint8Array(400 * 400 * 3).fill(90);
    const out = cropAndResize({ width: 400, height: 400, channels: 3, data }, { x: 0, y: 0, width: 400, height: 400 }, 20, 20);
    expect(new Set(out.data)).toEqual(new Set([90]));
  });

  it('RGBA drops alpha; grey uses BT.601 weights; planar tensor normalises per channel in model order', () => {
    const rgba: PixelImage = { width: 1, height: 1, channels: 4, data: new Uint8ClampedArray([200, 100, 50, 0]) };
    const rgb = toRgb(rgba);
    expect(Array.from(rgb.data)).toEqual([200, 100, 50]);
    expect(toGrey(rgb)[0]).toBeCloseTo(0.299 * 200 + 0.587 * 100 + 0.114 * 50, 4);
    const t = toPlanarTensor(rgb, { mean: [127.5, 127.5, 127.5], std: [128, 128, 128], channelOrder: 'bgr' });
    expect(t[0]).toBeCloseTo((50 - 127.5) / 128, 6);
    expect(t[2]).toBeCloseTo((200 - 127.5) / 128, 6);
  });
});

describe('medianFilter3', () => {
  // The obvious definition: sort each clamped 3×3 window of each channel and take the middle value.
  function referenceMedian(image: RgbImage): Uint8Array {
    const { width, height, data } = image;
    const out = new Uint8Array(data.length);
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++)
        for (let c = 0; c < 3; c++) {
          const window: number[] = [];
          for (let dy = -1; dy <= 1; dy++)
            for (let dx = -1; dx <= 1; dx++) {
              const yy = Math.min(height - 1, Math.max(0, y + dy));
              const xx = Math.min(width - 1, Math.max(0, x + dx));
              window.push(data[(yy * width + xx) * 3 + c]!);
            }
          out[(y * width + x) * 3 + c] = window.sort((a, b) => a - b)[4]!;
        }
    return out;
  }
  function noise(width: number, height: number, seed: number): RgbImage {
    let state = seed;
    const data = new Uint8Array(width * height * 3).map(() => (state = (state * 1103515245 + 12345) % 2147483648) % 256);
    return { width, height, channels: 3, data };
  }

  it.each([
    [112, 112],
    [7, 3],
    [1, 1],
    [2, 5],
  ])('gives the sorted-window median everywhere, edges included (%i×%i)', (width, height) => {
    const image = noise(width, height, width * 31 + height);
    expect(Array.from(medianFilter3(image).data)).toEqual(Array.from(referenceMedian(image)));
  });

  it('removes an isolated speck and keeps a flat image and a clean edge exactly', () => {
    const flat: RgbImage = { width: 6, height: 6, channels: 3, data: new Uint8Array(108).fill(90) };
    expect(medianFilter3(flat).data).toEqual(flat.data);
    const speck = { ...flat, data: flat.data.slice() };
    speck.data.set([255, 0, 255], (2 * 6 + 3) * 3);
    expect(medianFilter3(speck).data).toEqual(flat.data);
    const edge: RgbImage = { width: 6, height: 6, channels: 3, data: new Uint8Array(108).map((_, i) => (Math.floor(i / 3) % 6 < 3 ? 20 : 200)) };
    expect(medianFilter3(edge).data).toEqual(edge.data);
  });
});
