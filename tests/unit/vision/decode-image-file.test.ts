import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImageFile } from '@/lib/server/vision/decode-image-file';
import { VisionError } from '@/lib/vision/vision-error';
import { buildGif } from './build-gif';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(VisionError);
  return (error as VisionError).code;
}

describe('decodeImageFile (Node)', () => {
  it('decodes a JPEG to RGB at its size', async () => {
    const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 10, b: 10 } } }).jpeg().toBuffer();
    const { image, info } = await decodeImageFile(new Uint8Array(jpeg));
    expect([image.width, image.height, image.channels]).toEqual([64, 48, 3]);
    expect(info.scale).toBe(1);
    expect(image.data[0]).toBeGreaterThan(150);
  });

  it('turns greyscale into three equal channels', async () => {
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 90, g: 90, b: 90 } } }).greyscale().png().toBuffer();
    const { image } = await decodeImageFile(new Uint8Array(png));
    expect(image.channels).toBe(3);
    expect([image.data[0], image.data[1], image.data[2]]).toEqual([90, 90, 90]);
  });

  it('applies EXIF orientation (6 = rotate 90° clockwise: 40×20 stored, 20×40 shown)', async () => {
    const jpeg = await sharp({ create: { width: 40, height: 20, channels: 3, background: '#888' } }).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    const { image, info } = await decodeImageFile(new Uint8Array(jpeg));
    expect([image.width, image.height]).toEqual([20, 40]);
    expect([info.originalWidth, info.originalHeight]).toEqual([20, 40]);
  });

  it('reduces an image above the working limit and records the scale', async () => {
    const png = await sharp({ create: { width: 2000, height: 1000, channels: 3, background: '#123' } }).png().toBuffer();
    const { image, info } = await decodeImageFile(new Uint8Array(png), { maxInputPixels: 250e6, maxWorkingPixels: 500_000, animated: 'refuse' });
    expect(image.width * image.height).toBeLessThanOrEqual(500_000);
    expect(info.scale).toBeCloseTo(image.width / 2000, 10);
  });

  it('refuses above the hard pixel limit before decoding', async () => {
    const png = await sharp({ create: { width: 300, height: 300, channels: 3, background: '#123' } }).png().toBuffer();
    expect(await codeOf(decodeImageFile(new Uint8Array(png), { maxInputPixels: 50_000, maxWorkingPixels: 40_000, animated: 'refuse' }))).toBe('IMAGE_TOO_LARGE');
  });

  it('gives typed errors for empty, non-image and truncated files', async () => {
    expect(await codeOf(decodeImageFile(new Uint8Array()))).toBe('EMPTY_IMAGE');
    expect(await codeOf(decodeImageFile(new TextEncoder().encode('%PDF-1.4 definitely not a photo')))).toBe('UNSUPPORTED_FORMAT');
    const jpeg = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#345' } }).jpeg().toBuffer();
    expect(await codeOf(decodeImageFile(new Uint8Array(jpeg.subarray(0, 200))))).toBe('DECODE_FAILED');
  });

  it('refuses an animated GIF by default and takes the first frame when the policy allows', async () => {
    const gif = buildGif(3);
    expect(await codeOf(decodeImageFile(new Uint8Array(gif)))).toBe('ANIMATED_IMAGE');
    const first = await decodeImageFile(new Uint8Array(gif), { maxInputPixels: 250e6, maxWorkingPixels: 16e6, animated: 'first-frame' });
    expect([first.image.width, first.image.height]).toEqual([1, 1]);
    expect(first.info.isAnimated).toBe(true);
  });
});
