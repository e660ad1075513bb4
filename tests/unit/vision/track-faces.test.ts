import { describe, expect, it } from 'vitest';
import type { QualityReport, QualityVerdict } from '@/lib/vision/face-quality';
import { frameQualityScore, rankTrackFrames, trackFaces, type TrackableFace, type TrackableFrame } from '@/lib/vision/track-faces';

// A person is a direction in embedding space plus a little per-frame noise, as a real recogniser gives.
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}
function person(seed: number): Float32Array {
  const random = seeded(seed);
  return Float32Array.from({ length: 128 }, () => random());
}
function seen(identity: Float32Array, noiseSeed: number): Float32Array {
  const random = seeded(noiseSeed);
  return identity.map((v) => v + 0.08 * random());
}
function quality(verdict: QualityVerdict, interEyePx = 30, sharpness = 80): QualityReport {
  const reasons = verdict === 'good' ? [] : [{ metric: 'sharpness' as const, level: verdict === 'poor' ? ('poor' as const) : ('usable' as const), message: 'x' }];
  return {
    verdict,
    reasons,
    needsOverride: verdict === 'poor',
    metrics: { interEyePx, sharpness, yawDeg: 0, pitchDeg: 0, rollDeg: 0, brightness: 120, contrast: 40, detectorScore: 0.9 },
  };
}
function face(x: number, identity: Float32Array | null, noise: number, q: QualityReport | null = quality('usable')): TrackableFace {
  return { box: { x, y: 100, width: 80, height: 100 }, embedding: identity ? seen(identity, noise) : null, quality: q };
}
function frames(list: TrackableFace[][]): TrackableFrame[] {
  return list.map((faces, index) => ({ index, timeMs: index * 250, faces }));
}
/** Each track as the frame indices it holds. */
function shape(tracks: ReturnType<typeof trackFaces>) {
  return tracks.map((track) => track.members.map((m) => m.frameIndex));
}

const ALICE = person(1);
const BOB = person(2);

describe('trackFaces', () => {
  it('keeps one track for one person walking across the frame', () => {
    const tracks = trackFaces(frames(Array.from({ length: 8 }, (_, i) => [face(100 + 15 * i, ALICE, i)])));
    expect(shape(tracks)).toEqual([[0, 1, 2, 3, 4, 5, 6, 7]]);
  });

  it('keeps two people apart when they cross and their boxes overlap', () => {
    // Alice walks right, Bob walks left; they pass each other at frames 4–5 where the boxes overlap by over half.
    const list = Array.from({ length: 10 }, (_, i) => {
      const a = face(100 + 30 * i, ALICE, 100 + i);
      const b = face(370 - 30 * i, BOB, 200 + i);
      // The order the detector lists them in swaps half-way, as it does when they pass.
      return i < 5 ? [a, b] : [b, a];
    });
    const tracks = trackFaces(frames(list));
    expect(tracks).toHaveLength(2);
    for (const track of tracks) expect(track.members).toHaveLength(10);
    const aliceTrack = tracks.find((t) => t.members[0]!.face.box.x === 100)!;
    // Every member of Alice's track moves right: the track never jumped to Bob.
    const xs = aliceTrack.members.map((m) => m.face.box.x);
    expect(xs).toEqual([...xs].sort((p, q) => p - q));
  });

  it('would swap the crossing people on box overlap alone: the embedding is what keeps them apart', () => {
    // The same crossing with no embeddings, where the boxes at the crossing favour the wrong person.
    const list = Array.from({ length: 10 }, (_, i) => {
      const a = { ...face(100 + 30 * i, null, 0) };
      const b = { ...face(370 - 30 * i, null, 0) };
      return [a, b];
    });
    const boxOnly = trackFaces(frames(list));
    const withEmbeddings = trackFaces(
      frames(Array.from({ length: 10 }, (_, i) => [face(100 + 30 * i, ALICE, 300 + i), face(370 - 30 * i, BOB, 400 + i)])),
    );
    const movesOneWay = (t: (typeof boxOnly)[number]) => {
      const xs = t.members.map((m) => m.face.box.x);
      return xs.every((x, k) => k === 0 || x > xs[k - 1]!) || xs.every((x, k) => k === 0 || x < xs[k - 1]!);
    };
    expect(boxOnly.every(movesOneWay)).toBe(false);
    expect(withEmbeddings.every(movesOneWay)).toBe(true);
  });

  it('starts a new track when one person leaves and another enters the same place', () => {
    const list = [
      ...Array.from({ length: 5 }, (_, i) => [face(200 + i, ALICE, 500 + i)]),
      [],
      ...Array.from({ length: 5 }, (_, i) => [face(204 + i, BOB, 600 + i)]),
    ];
    const tracks = trackFaces(frames(list));
    expect(shape(tracks)).toEqual([
      [0, 1, 2, 3, 4],
      [6, 7, 8, 9, 10],
    ]);
    expect(tracks[0]!.members.every((m) => m.face.embedding && m.face.box.x < 205)).toBe(true);
  });

  it('bridges a dropped frame or two, and re-links a face that moved during the gap by its embedding', () => {
    const list = [[face(100, ALICE, 1)], [face(110, ALICE, 2)], [], [], [face(220, ALICE, 5)], [face(230, ALICE, 6)]];
    expect(shape(trackFaces(frames(list)))).toEqual([[0, 1, 4, 5]]);
  });

  it('does not bridge a gap longer than maxGap', () => {
    const list = [[face(100, ALICE, 1)], [], [], [], [face(100, ALICE, 5)]];
    expect(shape(trackFaces(frames(list)))).toEqual([[0], [4]]);
    expect(shape(trackFaces(frames(list), { maxGap: 3 }))).toEqual([[0, 4]]);
  });

  it('does not link by embedding alone across the frame (a face far away is another sighting)', () => {
    const list = [[face(10, ALICE, 1)], [face(560, ALICE, 2)]];
    expect(shape(trackFaces(frames(list)))).toEqual([[0], [1]]);
  });
});

describe('rankTrackFrames', () => {
  it('orders a track by quality: verdict, then size and sharpness; equal quality keeps time order', () => {
    const list = [
      [face(100, ALICE, 1, quality('poor'))],
      [face(102, ALICE, 2, quality('good', 30, 60))],
      [face(104, ALICE, 3, quality('usable'))],
      [face(106, ALICE, 4, quality('good', 45, 120))],
      [face(108, ALICE, 5, quality('good', 30, 60))],
    ];
    const [track] = trackFaces(frames(list));
    expect(rankTrackFrames(track!).map((m) => m.frameIndex)).toEqual([3, 1, 4, 2, 0]);
  });

  it('puts an unmeasured face last', () => {
    expect(frameQualityScore(null)).toBeLessThan(frameQualityScore(quality('poor', 1, 1)));
  });
});
