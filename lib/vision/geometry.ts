// Plain 2-D geometry shared by detection, alignment and quality. No runtime dependencies.

export type Point = { x: number; y: number };
export type Box = { x: number; y: number; width: number; height: number };

/** Row-major 2×3 affine matrix [a, b, c, d, e, f]: x' = a·x + b·y + c, y' = d·x + e·y + f. */
export type Affine = readonly [number, number, number, number, number, number];

export function areaOf(box: Box): number {
  return Math.max(0, box.width) * Math.max(0, box.height);
}

export function intersectionOverUnion(a: Box, b: Box): number {
  const x1 = Math.max(a.x, b.x);
  const y1 = Math.max(a.y, b.y);
  const x2 = Math.min(a.x + a.width, b.x + b.width);
  const y2 = Math.min(a.y + a.height, b.y + b.height);
  const inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  const union = areaOf(a) + areaOf(b) - inter;
  return union > 0 ? inter / union : 0;
}

/** Intersection over the smaller box: catches a partial face box nested inside a whole one from another tile. */
export function intersectionOverMinimum(a: Box, b: Box): number {
  const x1 = Math.max(a.x, b.x);
  const y1 = Math.max(a.y, b.y);
  const x2 = Math.min(a.x + a.width, b.x + b.width);
  const y2 = Math.min(a.y + a.height, b.y + b.height);
  const inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  const smaller = Math.min(areaOf(a), areaOf(b));
  return smaller > 0 ? inter / smaller : 0;
}

export type Scored = { box: Box; score: number };

/**
 * Greedy non-maximum suppression, highest score first. `containment` additionally suppresses a box mostly
 * inside a kept one, which tiled detection produces when a tile edge cuts a face.
 */
export function suppressNonMaxima<T extends Scored>(
  detections: readonly T[],
  options: { iouThreshold: number; containmentThreshold?: number },
): T[] {
  const sorted = [...detections].sort((a, b) => b.score - a.score);
  const kept: T[] = [];
  for (const candidate of sorted) {
    const overlaps = kept.some(
      (k) =>
        intersectionOverUnion(k.box, candidate.box) > options.iouThreshold ||
        (options.containmentThreshold !== undefined &&
          intersectionOverMinimum(k.box, candidate.box) > options.containmentThreshold),
    );
    if (!overlaps) kept.push(candidate);
  }
  return kept;
}

export function clipBox(box: Box, width: number, height: number): Box {
  const x1 = Math.min(Math.max(box.x, 0), width);
  const y1 = Math.min(Math.max(box.y, 0), height);
  const x2 = Math.min(Math.max(box.x + box.width, 0), width);
  const y2 = Math.min(Math.max(box.y + box.height, 0), height);
  return { x: x1, y: y1, width: x2 - x1, height: y2 - y1 };
}

export function scaleBox(box: Box, factor: number): Box {
  return { x: box.x * factor, y: box.y * factor, width: box.width * factor, height: box.height * factor };
}

export function applyAffine(m: Affine, p: Point): Point {
  return { x: m[0] * p.x + m[1] * p.y + m[2], y: m[3] * p.x + m[4] * p.y + m[5] };
}

export function invertAffine(m: Affine): Affine {
  const [a, b, c, d, e, f] = m;
  const det = a * e - b * d;
  if (Math.abs(det) < 1e-12) throw new RangeError('affine matrix is singular');
  const ia = e / det;
  const ib = -b / det;
  const id = -d / det;
  const ie = a / det;
  return [ia, ib, -(ia * c + ib * f), id, ie, -(id * c + ie * f)];
}

/**
 * Least-squares similarity transform (rotation, uniform scale, translation) taking `from` onto `to`
 * (Umeyama 1991, 2-D closed form). A similarity, not a full affine, because a face must not be sheared
 * to fit the template: shear would change identity cues.
 */
export function estimateSimilarity(from: readonly Point[], to: readonly Point[]): Affine {
  const n = from.length;
  if (n < 2 || n !== to.length) throw new RangeError('need at least two corresponding points');
  let fx = 0;
  let fy = 0;
  let tx = 0;
  let ty = 0;
  for (let i = 0; i < n; i++) {
    fx += from[i]!.x;
    fy += from[i]!.y;
    tx += to[i]!.x;
    ty += to[i]!.y;
  }
  fx /= n;
  fy /= n;
  tx /= n;
  ty /= n;
  // For 2-D similarity the optimum is a = Σ(u·u' + v·v')/Σ|u|², b = Σ(u·v' − v·u')/Σ|u|², with
  // (u, v) centred source and (u', v') centred target; the map is x' = a·u − b·v, y' = b·u + a·v.
  let dot = 0;
  let cross = 0;
  let norm = 0;
  for (let i = 0; i < n; i++) {
    const u = from[i]!.x - fx;
    const v = from[i]!.y - fy;
    const up = to[i]!.x - tx;
    const vp = to[i]!.y - ty;
    dot += u * up + v * vp;
    cross += u * vp - v * up;
    norm += u * u + v * v;
  }
  if (norm < 1e-12) throw new RangeError('source points are degenerate');
  const a = dot / norm;
  const b = cross / norm;
  return [a, -b, tx - (a * fx - b * fy), b, a, ty - (b * fx + a * fy)];
}
