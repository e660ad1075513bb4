import { describe, expect, it } from 'vitest';
import { arcFaceTemplate112 } from '@/lib/vision/align-face';
import type { FivePoints } from '@/lib/vision/face-models';
import { assessQuality, defaultQualityPolicy, estimatePose, measureQuality } from '@/lib/vision/face-quality';
import type { RgbImage } from '@/lib/vision/pixel-image';

function checkerboard(cell: number, low: number, high: number): RgbImage {
  const data = new Uint8Array(112 * 112 * 3);
  for (let y = 0; y < 112; y++)
    for (let x = 0; x < 112; x++) data.fill((Math.floor(x / cell) + Math.floor(y / cell)) % 2 ? high : low, (y * 112 + x) * 3, (y * 112 + x) * 3 + 3);
  return { width: 112, height: 112, channels: 3, data };
}

function boxBlur(img: RgbImage, radius: number): RgbImage {
  const out = new Uint8Array(img.data.length);
  for (let y = 0; y < 112; y++)
    for (let x = 0; x < 112; x++) {
      let sum = 0;
      let n = 0;
      for (let dy = -radius; dy <= radius; dy++)
        for (let dx = -radius; dx <= radius; dx++) {
          const yy = Math.min(111, Math.max(0, y + dy));
          const xx = Math.min(111, Math.max(0, x + dx));
          sum += img.data[(yy * 112 + xx) * 3]!;
          n++;
        }
      out.fill(Math.round(sum / n), (y * 112 + x) * 3, (y * 112 + x) * 3 + 3);
    }
  return { ...img, data: out };
}

const scaled = (s: number) => arcFaceTemplate112.map((p) => ({ x: p.x * s, y: p.y * s })) as FivePoints;

describe('face quality', () => {
  it('reads a frontal template face as frontal', () => {
    const pose = estimatePose(arcFaceTemplate112);
    expect(Math.abs(pose.yawDeg)).toBeLessThan(2);
    expect(Math.abs(pose.pitchDeg)).toBeLessThan(2);
    expect(Math.abs(pose.rollDeg)).toBeLessThan(1);
  });

  it('sees a turned head when the nose moves towards one eye', () => {
    const p = arcFaceTemplate112.map((q) => ({ ...q })) as FivePoints;
    p[2] = { x: p[2].x + 12, y: p[2].y };
    expect(estimatePose(p).yawDeg).toBeGreaterThan(20);
  });

  it('a sharp, well-lit, large face is good', () => {
    const m = measureQuality({ aligned: checkerboard(4, 60, 190), points5: scaled(1), detectorScore: 0.99 });
    const report = assessQuality(m);
    expect(report.verdict).toBe('good');
    expect(report.needsOverride).toBe(false);
  });

  it('blur lowers sharpness and is named as the reason', () => {
    const sharp = checkerboard(4, 60, 190);
    const blurred = boxBlur(sharp, 3);
    const ms = measureQuality({ aligned: sharp, points5: scaled(1), detectorScore: 0.99 });
    const mb = measureQuality({ aligned: blurred, points5: scaled(1), detectorScore: 0.99 });
    expect(mb.sharpness).toBeLessThan(ms.sharpness / 10);
    const report = assessQuality(mb);
    expect(report.reasons.map((r) => r.metric)).toContain('sharpness');
  });

  it('a dark, tiny face is poor, needs an override under the default policy, and says why', () => {
    const m = measureQuality({ aligned: checkerboard(4, 5, 25), points5: scaled(0.2), detectorScore: 0.9 });
    const report = assessQuality(m);
    expect(report.verdict).toBe('poor');
    expect(report.needsOverride).toBe(true);
    const metrics = report.reasons.filter((r) => r.level === 'poor').map((r) => r.metric);
    expect(metrics).toContain('brightness');
    expect(metrics).toContain('interEyePx');
  });

  it('the policy minimum is configurable', () => {
    const m = measureQuality({ aligned: checkerboard(4, 60, 190), points5: scaled(0.5), detectorScore: 0.99 });
    const lenient = assessQuality(m);
    expect(lenient.verdict).toBe('usable');
    expect(lenient.needsOverride).toBe(false);
    const strict = assessQuality(m, { ...defaultQualityPolicy, minimumVerdict: 'good' });
    expect(strict.needsOverride).toBe(true);
  });
});
