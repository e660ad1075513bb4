import { describe, expect, it } from 'vitest';
import { alignFace, arcFaceTemplate112, estimateAlignment } from '@/lib/vision/align-face';
import type { FivePoints } from '@/lib/vision/face-models';
import { applyAffine } from '@/lib/vision/geometry';
import type { PixelImage } from '@/lib/vision/pixel-image';

function marker(width: number, height: number, at: { x: number; y: number }): PixelImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = Math.floor(at.y) - 1; y <= Math.floor(at.y) + 1; y++)
    for (let x = Math.floor(at.x) - 1; x <= Math.floor(at.x) + 1; x++) data.fill(255, (y * width + x) * 3, (y * width + x) * 3 + 3);
  return { width, height, channels: 3, data };
}

describe('alignment to the ArcFace template', () => {
  it('maps a face already on the template onto itself', () => {
    const m = estimateAlignment(arcFaceTemplate112);
    expect(m[0]).toBeCloseTo(1, 9);
    expect(m[1]).toBeCloseTo(0, 9);
    expect(m[2]).toBeCloseTo(0, 9);
  });

  it('undoes rotation and scale: landmarks of a rotated, enlarged face land on the template', () => {
    const angle = (25 * Math.PI) / 180;
    const s = 2.5;
    const place = (p: { x: number; y: number }) => ({
      x: 300 + s * (Math.cos(angle) * p.x - Math.sin(angle) * p.y),
      y: 100 + s * (Math.sin(angle) * p.x + Math.cos(angle) * p.y),
    });
    const points = arcFaceTemplate112.map(place) as FivePoints;
    const m = estimateAlignment(points);
    points.forEach((p, i) => {
      const q = applyAffine(m, p);
      expect(q.x).toBeCloseTo(arcFaceTemplate112[i]!.x, 6);
      expect(q.y).toBeCloseTo(arcFaceTemplate112[i]!.y, 6);
    });
  });

  it('moves image content: a bright dot at the source nose ends up at the template nose', () => {
    const s = 3; // large face: exercises the block-reduction path
    const points = arcFaceTemplate112.map((p) => ({ x: 40 + s * p.x, y: 20 + s * p.y })) as FivePoints;
    const nose = points[2];
    const { image } = alignFace(marker(500, 400, nose), points);
    let best = -1;
    let at = { x: 0, y: 0 };
    for (let y = 0; y < 112; y++)
      for (let x = 0; x < 112; x++)
        if (image.data[(y * 112 + x) * 3]! > best) {
          best = image.data[(y * 112 + x) * 3]!;
          at = { x, y };
        }
    expect(Math.abs(at.x - arcFaceTemplate112[2].x)).toBeLessThanOrEqual(1.5);
    expect(Math.abs(at.y - arcFaceTemplate112[2].y)).toBeLessThanOrEqual(1.5);
  });
});
