import { describe, expect, it } from 'vitest';
import { planWorkingSize } from '@/lib/vision/decode-policy';
import { sniffImage } from '@/lib/vision/sniff-image';
import { buildGif } from './build-gif';

describe('sniffImage', () => {
  it('rejects text and tiny files', () => {
    expect(sniffImage(new TextEncoder().encode('this is not an image at all'))).toBeNull();
    expect(sniffImage(new Uint8Array([0xff, 0xd8]))).toBeNull();
  });

  it('recognises JPEG and a still GIF', () => {
    expect(sniffImage(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0, 0, 0, 0, 0, 0, 0]))).toEqual({ format: 'jpeg', isAnimated: false });
    expect(sniffImage(buildGif(1))).toEqual({ format: 'gif', isAnimated: false });
  });

  it('flags an animated GIF', () => {
    expect(sniffImage(buildGif(3))).toEqual({ format: 'gif', isAnimated: true });
  });

  it('flags an APNG by its acTL chunk', () => {
    const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
    const chunk = (type: string, len: number) => [0, 0, 0, len, ...[...type].map((c) => c.charCodeAt(0)), ...new Array(len + 4).fill(0)];
    const still = new Uint8Array([...sig, ...chunk('IHDR', 13), ...chunk('IDAT', 2)]);
    const animated = new Uint8Array([...sig, ...chunk('IHDR', 13), ...chunk('acTL', 8), ...chunk('IDAT', 2)]);
    expect(sniffImage(still)?.isAnimated).toBe(false);
    expect(sniffImage(animated)?.isAnimated).toBe(true);
  });
});

describe('planWorkingSize', () => {
  it('keeps ordinary images and reduces a 60 MP image under the working limit, recording the scale', () => {
    expect(planWorkingSize(1920, 1080, 16_777_216)).toEqual({ width: 1920, height: 1080, scale: 1 });
    const plan = planWorkingSize(9000, 6667, 16_777_216);
    expect(plan.width * plan.height).toBeLessThanOrEqual(16_777_216);
    expect(plan.scale).toBeCloseTo(plan.width / 9000, 12);
    expect(plan.height / plan.width).toBeCloseTo(6667 / 9000, 3);
  });
});
