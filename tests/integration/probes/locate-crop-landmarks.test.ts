import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { locateCropLandmarks } from '@/lib/server/vision/locate-crop-landmarks';
import { decodeImageFile } from '@/lib/server/vision/decode-image-file';
import { getSharedFacePipeline } from '@/lib/server/vision/shared-face-pipeline';
import { alignFace } from '@/lib/vision/align-face';
import { applyAffine } from '@/lib/vision/geometry';
import { pickPrimaryFace } from '@/lib/vision/face-pipeline';
import { hasLfw, lfwImage, lfwMissingMessage } from '../../support/lfw';

// The review bench's landmark overlay: 68 points on an aligned crop, normalised to the crop.
if (!hasLfw) console.warn(`${lfwMissingMessage} (the crop landmark placement test is skipped)`);

describe('locateCropLandmarks', () => {
  it('answers null for bytes that are not a square image', async () => {
    expect(await locateCropLandmarks(Buffer.from('not a crop'))).toBeNull();
    expect(await locateCropLandmarks(await sharp({ create: { width: 112, height: 80, channels: 3, background: '#777' } }).png().toBuffer())).toBeNull();
  });

  it.skipIf(!hasLfw)("puts the eyes, nose tip and mouth corners where the photo's own landmarks fall in the crop, and answers a repeat from its cache", async () => {
    const pipeline = await getSharedFacePipeline();
    const { image } = await decodeImageFile(readFileSync(lfwImage('Colin_Powell', 1)));
    const face = await pipeline.analyseFace(image, pickPrimaryFace(await pipeline.detectFaces(image))!);
    const png = await sharp(Buffer.from(face.aligned.data), { raw: { width: 112, height: 112, channels: 3 } }).png().toBuffer();
    const points = await locateCropLandmarks(png);
    expect(points).toHaveLength(68);
    const mean = (indices: number[]) => [0, 1].map((axis) => indices.reduce((sum, i) => sum + points![i]![axis]!, 0) / indices.length);
    // Where the five points found on the photo itself fall in the crop (alignment fits them to the
    // template by least squares, so they are near, not on, the template's points).
    const { templateFromSource } = alignFace(image, face.landmarks.points5);
    const expected = face.landmarks.points5.map((p) => applyAffine(templateFromSource, p)).map((p) => [p.x / 112, p.y / 112]);
    const found = [mean([36, 37, 38, 39, 40, 41]), mean([42, 43, 44, 45, 46, 47]), mean([30]), mean([48, 60]), mean([54, 64])];
    found.forEach((point, i) => expect(Math.hypot(point[0]! - expected[i]![0]!, point[1]! - expected[i]![1]!) * 112).toBeLessThan(3));
    expect(await locateCropLandmarks(png)).toEqual(points);
  });
});
