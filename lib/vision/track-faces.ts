import type { QualityReport } from './face-quality';
import { type Box, intersectionOverUnion } from './geometry';

// Links the faces found in a clip's sampled frames into tracks, one per person in view, so the
// investigator picks a person rather than thirty separate boxes. Pure: the clip panel feeds it what the
// worker measured. Boxes carry the linking (a face moves little between samples a quarter of a second
// apart); the embedding keeps two people apart where their boxes overlap (crossing) or where one leaves
// and another steps into the same place, and re-links a face whose box jumped across a missed frame.

export type TrackableFace = {
  box: Box;
  /** The face's embedding (unit length or not; cosine is taken); null when it could not be measured. */
  embedding: ArrayLike<number> | null;
  quality: QualityReport | null;
};

export type TrackableFrame<F extends TrackableFace = TrackableFace> = {
  /** Position in the sampled sequence (0, 1, 2, …): gaps are counted in samples, not milliseconds. */
  index: number;
  timeMs: number;
  faces: readonly F[];
};

export type TrackMember<F extends TrackableFace = TrackableFace> = { frameIndex: number; timeMs: number; faceIndex: number; face: F };

export type FaceTrack<F extends TrackableFace = TrackableFace> = { id: number; members: TrackMember<F>[] };

export type TrackOptions = {
  /** Box overlap that links a face to a track on its own. */
  minIou: number;
  /** Below this cosine, two faces are not the same person whatever their boxes say. */
  minCosine: number;
  /** At or above this cosine, a face re-joins a track whose box it no longer overlaps (it moved during a gap). */
  relinkCosine: number;
  /** How far (in box sizes per sample elapsed) a re-linked face may have moved. */
  maxRelinkShift: number;
  /** Samples a track may miss (a dropped frame, a missed detection) and still be continued. */
  maxGap: number;
  /** Weight of the cosine against IoU when one face could join several tracks. */
  cosineWeight: number;
};

export const defaultTrackOptions: TrackOptions = {
  minIou: 0.3,
  minCosine: 0.3,
  relinkCosine: 0.6,
  maxRelinkShift: 1.5,
  maxGap: 2,
  cosineWeight: 0.5,
};

export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length || a.length === 0) return 0;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

type OpenTrack<F extends TrackableFace> = {
  track: FaceTrack<F>;
  lastBox: Box;
  lastIndex: number;
  /** Sum of the members' unit embeddings: its direction is the track's mean appearance. */
  appearance: Float64Array | null;
};

function addAppearance(sum: Float64Array | null, embedding: ArrayLike<number> | null): Float64Array | null {
  if (!embedding || embedding.length === 0) return sum;
  let norm = 0;
  for (let i = 0; i < embedding.length; i++) norm += embedding[i]! * embedding[i]!;
  norm = Math.sqrt(norm);
  if (norm === 0) return sum;
  if (sum && sum.length !== embedding.length) return sum;
  const out = sum ?? new Float64Array(embedding.length);
  for (let i = 0; i < embedding.length; i++) out[i]! += embedding[i]! / norm;
  return out;
}

function centreShift(a: Box, b: Box): number {
  const dx = a.x + a.width / 2 - (b.x + b.width / 2);
  const dy = a.y + a.height / 2 - (b.y + b.height / 2);
  const size = Math.max(1, (a.width + a.height + b.width + b.height) / 4);
  return Math.hypot(dx, dy) / size;
}

/** Tracks in order of first appearance; each track's members in time order. */
export function trackFaces<F extends TrackableFace>(frames: readonly TrackableFrame<F>[], options: Partial<TrackOptions> = {}): FaceTrack<F>[] {
  const o = { ...defaultTrackOptions, ...options };
  const ordered = [...frames].sort((a, b) => a.index - b.index);
  const open: OpenTrack<F>[] = [];
  const all: FaceTrack<F>[] = [];
  for (const frame of ordered) {
    const alive = open.filter((t) => frame.index - t.lastIndex <= o.maxGap + 1);
    const pairs: { track: OpenTrack<F>; faceIndex: number; score: number }[] = [];
    for (const track of alive) {
      const elapsed = frame.index - track.lastIndex;
      frame.faces.forEach((face, faceIndex) => {
        const iou = intersectionOverUnion(track.lastBox, face.box);
        const cos = track.appearance && face.embedding ? cosineSimilarity(track.appearance, face.embedding) : null;
        if (cos !== null && cos < o.minCosine) return;
        const isOverlapping = iou >= o.minIou;
        const isRelinked = cos !== null && cos >= o.relinkCosine && centreShift(track.lastBox, face.box) <= o.maxRelinkShift * elapsed;
        if (!isOverlapping && !isRelinked) return;
        pairs.push({ track, faceIndex, score: iou + o.cosineWeight * (cos ?? 0) - 0.01 * (elapsed - 1) });
      });
    }
    // Greedy by score: enough for the few faces of a CCTV frame, and it never gives one face to two tracks.
    pairs.sort((a, b) => b.score - a.score);
    const takenFaces = new Set<number>();
    const takenTracks = new Set<OpenTrack<F>>();
    for (const pair of pairs) {
      if (takenFaces.has(pair.faceIndex) || takenTracks.has(pair.track)) continue;
      takenFaces.add(pair.faceIndex);
      takenTracks.add(pair.track);
      const face = frame.faces[pair.faceIndex]!;
      pair.track.track.members.push({ frameIndex: frame.index, timeMs: frame.timeMs, faceIndex: pair.faceIndex, face });
      pair.track.lastBox = face.box;
      pair.track.lastIndex = frame.index;
      pair.track.appearance = addAppearance(pair.track.appearance, face.embedding);
    }
    frame.faces.forEach((face, faceIndex) => {
      if (takenFaces.has(faceIndex)) return;
      const track: FaceTrack<F> = { id: all.length + 1, members: [{ frameIndex: frame.index, timeMs: frame.timeMs, faceIndex, face }] };
      all.push(track);
      open.push({ track, lastBox: face.box, lastIndex: frame.index, appearance: addAppearance(null, face.embedding) });
    });
  }
  return all;
}

const verdictRank = { poor: 0, usable: 1, good: 2 } as const;

/**
 * One number per face for ordering a track's frames, from the report the pipeline already makes: the
 * verdict first, then fewer and milder reasons, then how far the size and sharpness reach towards "good"
 * (the two that matter most for CCTV matching), then the detector's confidence. Only an order, never shown.
 */
export function frameQualityScore(quality: QualityReport | null): number {
  if (!quality) return -Infinity;
  const poor = quality.reasons.filter((r) => r.level === 'poor').length;
  const usable = quality.reasons.length - poor;
  const m = quality.metrics;
  const reach = (value: number, good: number) => (Number.isFinite(value) ? Math.min(1, Math.max(0, value / good)) : 0);
  const continuous = reach(m.interEyePx, 40) + reach(m.sharpness, 100) + (m.detectorScore ?? 0) * 0.5;
  return verdictRank[quality.verdict] * 100 - poor * 10 - usable * 3 + continuous;
}

/** A track's members, best first; equal quality keeps time order. */
export function rankTrackFrames<F extends TrackableFace>(track: FaceTrack<F>): TrackMember<F>[] {
  return [...track.members].sort((a, b) => frameQualityScore(b.face.quality) - frameQualityScore(a.face.quality) || a.timeMs - b.timeMs);
}
