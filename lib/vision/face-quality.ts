import type { FivePoints } from './face-models';
import type { RgbImage } from './pixel-image';
import { toGrey } from './pixel-image';

// Quality is measured before any search so an investigator sees why a probe is weak before it produces a
// candidate list. Thresholds are starting points from LFW and synthetic degradations, not a standard:
// a force sets its own policy through `QualityPolicy`.

export type QualityVerdict = 'good' | 'usable' | 'poor';

export type QualityMetrics = {
  /** Distance between eye centres in source pixels; ISO/IEC 19794-5 asks ≥ 60 for a full-frontal image. */
  interEyePx: number;
  /** Variance of the 4-neighbour Laplacian on the aligned 112×112 grey crop (resolution-normalised). */
  sharpness: number;
  /** Degrees, positive = subject turned to the image's left; an estimate from 5 points, not a head-pose model. */
  yawDeg: number;
  /** Degrees, positive = chin down; an estimate from 5 points. */
  pitchDeg: number;
  rollDeg: number;
  /** Mean grey level of the aligned crop's central face region, 0–255. */
  brightness: number;
  /** Standard deviation of that region's grey levels (RMS contrast). */
  contrast: number;
  detectorScore: number | null;
};

export type QualityThresholds = {
  interEyePx: { poor: number; good: number };
  sharpness: { poor: number; good: number };
  absYawDeg: { poor: number; good: number };
  absPitchDeg: { poor: number; good: number };
  brightness: { poorBelow: number; poorAbove: number; goodBelow: number; goodAbove: number };
  contrast: { poor: number; good: number };
  detectorScore: { poor: number; good: number };
};

// Measured on 199 LFW faces (this copy is 150×150: inter-eye 21–28 px, p5–p95): sharpness p5 35, median
// 107; the same faces blurred with σ = 2.5 px: median 4, p95 9. Contrast p5 22. Pitch estimate p5–p95 ±24°.
export const defaultQualityThresholds: QualityThresholds = {
  interEyePx: { poor: 12, good: 30 },
  sharpness: { poor: 15, good: 50 },
  absYawDeg: { poor: 45, good: 25 },
  absPitchDeg: { poor: 40, good: 25 },
  brightness: { poorBelow: 35, poorAbove: 225, goodBelow: 60, goodAbove: 200 },
  contrast: { poor: 10, good: 20 },
  detectorScore: { poor: 0.5, good: 0.8 },
};

export type QualityPolicy = {
  /** A search on a face below this verdict needs an explicit, audited override with a reason. */
  minimumVerdict: QualityVerdict;
  thresholds: QualityThresholds;
};

export const defaultQualityPolicy: QualityPolicy = { minimumVerdict: 'usable', thresholds: defaultQualityThresholds };

export type QualityReason = { metric: keyof QualityMetrics; level: 'poor' | 'usable'; message: string };

export type QualityReport = {
  metrics: QualityMetrics;
  verdict: QualityVerdict;
  reasons: QualityReason[];
  /** True when the verdict is below the policy minimum: searching needs an override. */
  needsOverride: boolean;
};

const verdictRank: Record<QualityVerdict, number> = { poor: 0, usable: 1, good: 2 };

export function isVerdictBelow(verdict: QualityVerdict, minimum: QualityVerdict): boolean {
  return verdictRank[verdict] < verdictRank[minimum];
}

export function estimatePose(points: FivePoints): { yawDeg: number; pitchDeg: number; rollDeg: number } {
  const [le, re, nose, lm, rm] = points;
  const roll = Math.atan2(re.y - le.y, re.x - le.x);
  // Undo roll so horizontal/vertical offsets are in the face's own frame.
  const cos = Math.cos(-roll);
  const sin = Math.sin(-roll);
  const rot = (p: { x: number; y: number }) => ({ x: p.x * cos - p.y * sin, y: p.x * sin + p.y * cos });
  const [l, r, n, ml, mr] = [le, re, nose, lm, rm].map(rot) as [
    { x: number; y: number },
    { x: number; y: number },
    { x: number; y: number },
    { x: number; y: number },
    { x: number; y: number },
  ];
  const eyeMid = { x: (l.x + r.x) / 2, y: (l.y + r.y) / 2 };
  const mouthMid = { x: (ml.x + mr.x) / 2, y: (ml.y + mr.y) / 2 };
  const halfEye = Math.max(1e-6, (r.x - l.x) / 2);
  // The nose tip stands ~0.55 inter-eye distances in front of the eye plane, so its sideways offset over
  // half the projected eye distance is about 1.1·tan(yaw). Same reasoning vertically, with the nose sitting
  // ~0.49 of the way from eye line to mouth line in a frontal face and ~0.5 eye–mouth distances deep.
  const yaw = Math.atan((n.x - eyeMid.x) / halfEye / 1.1);
  const eyeToMouth = Math.max(1e-6, mouthMid.y - eyeMid.y);
  const pitch = Math.atan(((n.y - eyeMid.y) / eyeToMouth - 0.494) / 0.5);
  const deg = 180 / Math.PI;
  return { yawDeg: yaw * deg, pitchDeg: pitch * deg, rollDeg: roll * deg };
}

/** Variance of the 4-neighbour Laplacian over the interior of a grey image. */
export function varianceOfLaplacian(grey: Float32Array, width: number, height: number): number {
  let sum = 0;
  let sumSq = 0;
  let n = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      const l = grey[i - 1]! + grey[i + 1]! + grey[i - width]! + grey[i + width]! - 4 * grey[i]!;
      sum += l;
      sumSq += l * l;
      n++;
    }
  }
  if (n === 0) return 0;
  const mean = sum / n;
  return sumSq / n - mean * mean;
}

/** Brightness and contrast over the central face region of the aligned crop (excludes background corners). */
export function measureExposure(aligned: RgbImage): { brightness: number; contrast: number } {
  const grey = toGrey(aligned);
  const w = aligned.width;
  const h = aligned.height;
  const x0 = Math.round(w * 0.25);
  const x1 = Math.round(w * 0.75);
  const y0 = Math.round(h * 0.3);
  const y1 = Math.round(h * 0.9);
  let sum = 0;
  let sumSq = 0;
  let n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const v = grey[y * w + x]!;
      sum += v;
      sumSq += v * v;
      n++;
    }
  }
  const mean = sum / n;
  return { brightness: mean, contrast: Math.sqrt(Math.max(0, sumSq / n - mean * mean)) };
}

export function measureQuality(input: { aligned: RgbImage; points5: FivePoints; detectorScore: number | null }): QualityMetrics {
  const [le, re] = input.points5;
  const grey = toGrey(input.aligned);
  return {
    interEyePx: Math.hypot(re.x - le.x, re.y - le.y),
    sharpness: varianceOfLaplacian(grey, input.aligned.width, input.aligned.height),
    ...estimatePose(input.points5),
    ...measureExposure(input.aligned),
    detectorScore: input.detectorScore,
  };
}

export function assessQuality(metrics: QualityMetrics, policy: QualityPolicy = defaultQualityPolicy): QualityReport {
  const t = policy.thresholds;
  const reasons: QualityReason[] = [];
  const grade = (metric: keyof QualityMetrics, isPoor: boolean, isGood: boolean, poorMsg: string, usableMsg: string) => {
    if (isPoor) reasons.push({ metric, level: 'poor', message: poorMsg });
    else if (!isGood) reasons.push({ metric, level: 'usable', message: usableMsg });
  };
  const m = metrics;
  const px = Math.round(m.interEyePx);
  grade('interEyePx', m.interEyePx < t.interEyePx.poor, m.interEyePx >= t.interEyePx.good,
    `Face too small: ${px} px between the eyes (needs ≥ ${t.interEyePx.poor}).`,
    `Low resolution: ${px} px between the eyes (good ≥ ${t.interEyePx.good}).`);
  grade('sharpness', m.sharpness < t.sharpness.poor, m.sharpness >= t.sharpness.good,
    'Face is blurred (sharpness far below normal).', 'Face is somewhat soft or blurred.');
  const yaw = Math.abs(m.yawDeg);
  grade('yawDeg', yaw > t.absYawDeg.poor, yaw <= t.absYawDeg.good,
    `Head turned about ${Math.round(yaw)}° from frontal.`, `Head partly turned (about ${Math.round(yaw)}°).`);
  const pitch = Math.abs(m.pitchDeg);
  grade('pitchDeg', pitch > t.absPitchDeg.poor, pitch <= t.absPitchDeg.good,
    `Head tilted about ${Math.round(pitch)}° up or down.`, `Head partly tilted up or down (about ${Math.round(pitch)}°).`);
  const b = m.brightness;
  grade('brightness', b < t.brightness.poorBelow || b > t.brightness.poorAbove,
    b >= t.brightness.goodBelow && b <= t.brightness.goodAbove,
    b < t.brightness.poorBelow ? 'Face is too dark.' : 'Face is over-exposed.',
    b < t.brightness.goodBelow ? 'Face is dark.' : 'Face is bright.');
  grade('contrast', m.contrast < t.contrast.poor, m.contrast >= t.contrast.good,
    'Very low contrast on the face (fog, glare or heavy compression).', 'Low contrast on the face.');
  if (m.detectorScore !== null) {
    grade('detectorScore', m.detectorScore < t.detectorScore.poor, m.detectorScore >= t.detectorScore.good,
      'The detector is not confident this is a face.', 'The detector is only moderately confident this is a face.');
  }
  const verdict: QualityVerdict = reasons.some((r) => r.level === 'poor') ? 'poor' : reasons.length > 0 ? 'usable' : 'good';
  return { metrics, verdict, reasons, needsOverride: isVerdictBelow(verdict, policy.minimumVerdict) };
}
