import { describe, expect, it } from 'vitest';
import {
  canSearch,
  clipPanelReducer,
  DEFAULT_CHOSEN_FRAMES,
  describeTrack,
  everythingHeld,
  facesNeedingKeys,
  initialClipPanelState,
  MAX_CHOSEN_FRAMES,
  NO_FACE_IN_CLIP,
  selectedTrackOf,
  SHOWN_FRAMES_PER_TRACK,
  statusOf,
  submissionOf,
  type ClipPanelEvent,
  type ClipPanelState,
} from '@/components/detection/clip-panel-state';
import type { QualityVerdict } from '@/lib/vision/face-quality';
import type { AnalyseResult } from '@/lib/vision/worker-protocol';

const LISTS = ['list-a'];
const CLIP = 'clip-1';
const CLIP_SHA = 'c'.repeat(64);

function identity(seed: number): Float32Array {
  return Float32Array.from({ length: 64 }, (_, i) => Math.sin(seed * 12.9898 + i * 78.233));
}
function result(x: number, person: number, verdict: QualityVerdict = 'usable', interEyePx = 30): AnalyseResult {
  return {
    box: { x, y: 50, width: 80, height: 100 },
    detectorScore: 0.9,
    isManualBox: false,
    landmarks: { points68: [], points5: [{ x: 0, y: 0 }, { x: 1, y: 0 }, { x: 0, y: 1 }, { x: 0, y: 2 }, { x: 1, y: 2 }] },
    quality: {
      verdict,
      reasons: verdict === 'good' ? [] : [{ metric: 'sharpness', level: verdict === 'poor' ? 'poor' : 'usable', message: 'soft' }],
      needsOverride: verdict === 'poor',
      metrics: { interEyePx, sharpness: 80, yawDeg: 0, pitchDeg: 0, rollDeg: 0, brightness: 120, contrast: 40, detectorScore: 0.9 },
    },
    crop: { format: 'png', width: 112, height: 112, blob: new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], { type: 'image/png' }) },
    embedding: identity(person),
    modelId: 'recognizer@1',
    ms: 10,
  };
}

function run(events: ClipPanelEvent[], state = initialClipPanelState(LISTS)): ClipPanelState {
  return events.reduce(clipPanelReducer, state);
}

/** One person walking through `count` frames, the frame at `best` measured best. */
function sampled(count: number, options: { best?: number; sameImage?: boolean; secondPerson?: boolean } = {}): ClipPanelEvent[] {
  const events: ClipPanelEvent[] = [
    { type: 'CLIP_CHOSEN', clipId: CLIP, fileName: 'door.mp4' },
    { type: 'CLIP_OPENED', clipId: CLIP, durationS: count / 4, totalFrames: count },
  ];
  for (let i = 0; i < count; i++) {
    const faces = [{ result: result(100 + 5 * i, 1, i === options.best ? 'good' : 'usable', 30 + i), cropUrl: `blob:a${i}` }];
    if (options.secondPerson && i < 3) faces.push({ result: result(450, 2), cropUrl: `blob:b${i}` });
    events.push({ type: 'FRAME_ANALYSED', clipId: CLIP, frameIndex: i, timeMs: 125 + 250 * i, frameSha256: options.sameImage ? 'f'.repeat(64) : `${i}`.padStart(64, '0'), width: 640, height: 480, faces });
  }
  events.push({ type: 'CLIP_HASHED', clipId: CLIP, sha256: CLIP_SHA }, { type: 'SAMPLING_DONE', clipId: CLIP, analysisMs: 1234 });
  return events;
}

describe('the clip panel', () => {
  it('reports sampling progress frame by frame', () => {
    const opened = run(sampled(4).slice(0, 2));
    expect(statusOf(opened)).toBe('Sampling frame 1 of 4');
    const two = run(sampled(4).slice(2, 4), opened);
    expect(statusOf(two)).toBe('Sampling frame 3 of 4');
    expect(statusOf(run([{ type: 'CLIP_CHOSEN', clipId: CLIP, fileName: 'x.mp4' }]))).toMatch(/Opening the clip/);
  });

  it('proposes one track per person, the longest first, with its best frames ticked (at most five)', () => {
    const state = run(sampled(8, { best: 6, secondPerson: true }));
    expect(state.phase).toBe('ready');
    expect(state.tracks).toHaveLength(2);
    const [first, second] = state.tracks;
    expect(first!.rankedKeys).toHaveLength(8);
    expect(second!.rankedKeys).toHaveLength(3);
    expect(first!.rankedKeys[0]).toBe('f6-0');
    expect(first!.chosenKeys).toHaveLength(DEFAULT_CHOSEN_FRAMES);
    expect(first!.chosenKeys[0]).toBe('f6-0');
    expect(selectedTrackOf(state)?.id).toBe(first!.id);
    expect(describeTrack(first!)).toBe('Person 1: seen in 8 frames, 00:00.1–00:01.9');
    expect(canSearch(state)).toBe(true);
    expect(state.clip?.analysisMs).toBe(1234);
  });

  it('ticks only one of several identical frames', () => {
    const state = run(sampled(4, { sameImage: true }));
    expect(state.tracks[0]!.chosenKeys).toHaveLength(1);
  });

  it('prefers different views of the person over near-identical ones, filling up with them only when needed', () => {
    // Frames 0–5 are one view (the same embedding), 6–11 another, 12 a third; all of equal quality.
    const events = sampled(13).map((event) => {
      if (event.type !== 'FRAME_ANALYSED') return event;
      const view = event.frameIndex < 6 ? 10 : event.frameIndex < 12 ? 20 : 30;
      return { ...event, faces: event.faces.map((face) => ({ ...face, result: { ...face.result, quality: result(0, 1, 'usable', 30).quality, embedding: identity(1).map((v, i) => v + (i === view ? 3 : 0)) } })) };
    });
    const [track] = run(events).tracks;
    const frameOf = (key: string) => Number(key.slice(1, key.indexOf('-')));
    const chosen = track!.chosenKeys.map(frameOf);
    expect(chosen).toHaveLength(DEFAULT_CHOSEN_FRAMES);
    // The three views are all in, and the first chosen is the best-ranked frame.
    expect(chosen.some((f) => f < 6) && chosen.some((f) => f >= 6 && f < 12) && chosen.includes(12)).toBe(true);
    expect(track!.chosenKeys[0]).toBe(track!.rankedKeys[0]);
    expect(track!.chosenKeys).toEqual(track!.rankedKeys.filter((key) => track!.chosenKeys.includes(key)));
    // Every chosen frame is shown, however far down the quality order, and no more than the shown limit.
    const shown = track!.shownKeys;
    expect(track!.chosenKeys.every((key) => shown.includes(key))).toBe(true);
    expect(shown).toHaveLength(SHOWN_FRAMES_PER_TRACK);
    expect(shown).toEqual(track!.rankedKeys.filter((key) => shown.includes(key)));
  });

  it('keeps the frames offered in place when one is unticked', () => {
    let state = run(sampled(12, { best: 0 }));
    const track = state.tracks[0]!;
    state = clipPanelReducer(state, { type: 'FRAME_TOGGLED', trackId: track.id, faceKey: track.chosenKeys.at(-1)!, isChosen: false });
    expect(state.tracks[0]!.shownKeys).toEqual(track.shownKeys);
    expect(state.tracks[0]!.chosenKeys).toHaveLength(DEFAULT_CHOSEN_FRAMES - 1);
  });

  it('says so when no face was found in the clip', () => {
    const events = sampled(3).map((event) => (event.type === 'FRAME_ANALYSED' ? { ...event, faces: [], frameSha256: null } : event));
    const state = run(events);
    expect(state.tracks).toEqual([]);
    expect(state.problem).toBe(NO_FACE_IN_CLIP);
    expect(canSearch(state)).toBe(false);
  });

  it('cannot search before the clip is hashed', () => {
    const events = sampled(3).filter((event) => event.type !== 'CLIP_HASHED');
    expect(canSearch(run(events))).toBe(false);
  });

  it('lets the investigator untick and tick frames, keeping quality order and the cap', () => {
    let state = run(sampled(12, { best: 0 }));
    const track = state.tracks[0]!;
    state = clipPanelReducer(state, { type: 'FRAME_TOGGLED', trackId: track.id, faceKey: track.chosenKeys[0]!, isChosen: false });
    expect(state.tracks[0]!.chosenKeys).toEqual(track.chosenKeys.slice(1));
    for (const key of track.rankedKeys) state = clipPanelReducer(state, { type: 'FRAME_TOGGLED', trackId: track.id, faceKey: key, isChosen: true });
    expect(state.tracks[0]!.chosenKeys).toHaveLength(MAX_CHOSEN_FRAMES);
    expect(state.tracks[0]!.chosenKeys).toEqual(track.rankedKeys.filter((key) => state.tracks[0]!.chosenKeys.includes(key)));
    for (const key of track.rankedKeys) state = clipPanelReducer(state, { type: 'FRAME_TOGGLED', trackId: track.id, faceKey: key, isChosen: false });
    expect(canSearch(state)).toBe(false);
  });

  it('reports an unreadable clip, and ignores a late frame of a cancelled clip (revoking its crop)', () => {
    const failed = run([...sampled(3).slice(0, 2), { type: 'CLIP_FAILED', clipId: CLIP, message: 'The clip could not be played.' }]);
    expect(failed.phase).toBe('failed');
    expect(failed.problem).toBe('The clip could not be played.');
    const cancelled = run([...sampled(3).slice(0, 3), { type: 'CANCELLED', clipId: CLIP }]);
    expect(cancelled.phase).toBe('cancelled');
    expect(cancelled.disposals).toEqual(['blob:a0']);
    const late = clipPanelReducer(cancelled, sampled(3)[3]!);
    expect(late.faces).toEqual({});
    expect(late.disposals).toEqual(['blob:a0', 'blob:a1']);
  });

  it('lets go of every crop of a replaced clip', () => {
    const state = run([...sampled(2), { type: 'CLIP_CHOSEN', clipId: 'clip-2', fileName: 'next.webm' }]);
    expect(state.disposals).toEqual(['blob:a0', 'blob:a1']);
    expect(state.faces).toEqual({});
    expect(everythingHeld(state)).toEqual(['blob:a0', 'blob:a1']);
  });

  it('submits the chosen frames best first with a key each, and reuses the keys on a retry', () => {
    let state = run(sampled(6, { best: 2 }));
    const trackId = state.tracks[0]!.id;
    const needed = facesNeedingKeys(state);
    expect(needed).toEqual(state.tracks[0]!.chosenKeys);
    const keys = Object.fromEntries(needed.map((key, i) => [key, `key-${i}`]));
    state = clipPanelReducer(state, { type: 'SUBMIT_STARTED', trackId, idempotencyKeys: keys });
    const submission = submissionOf(state)!;
    expect(submission.clip).toEqual({ sha256: CLIP_SHA, fileName: 'door.mp4' });
    expect(submission.frames.map((frame) => frame.key)).toEqual(needed);
    expect(submission.frames[0]!.key).toBe('f2-0');
    expect(submission.frames.map((frame) => frame.idempotencyKey)).toEqual(needed.map((_, i) => `key-${i}`));
    expect(submission.frames[0]!.timeMs).toBe(625);
    expect(statusOf(state)).toMatch(/Recording/);
    expect(clipPanelReducer(state, { type: 'CLIP_CHOSEN', clipId: 'other', fileName: 'x.mp4' })).toBe(state);
    state = clipPanelReducer(state, { type: 'FRAMES_RECORDED', trackId });
    expect(statusOf(state)).toMatch(/Searching/);
    state = clipPanelReducer(state, { type: 'SUBMIT_FAILED', error: { code: 'UNAVAILABLE', message: 'down' } });
    expect(state.actionError?.code).toBe('UNAVAILABLE');
    expect(facesNeedingKeys(state)).toEqual([]);
    expect(canSearch(state)).toBe(true);
  });

  it('needs at least one watch-list', () => {
    const state = run([...sampled(2), { type: 'WATCHLIST_TOGGLED', watchlistId: 'list-a', isChosen: false }]);
    expect(canSearch(state)).toBe(false);
  });

  it('searches a ranked list unless threshold mode is chosen, and keeps the choice while frames are picked', () => {
    expect(run(sampled(2)).mode).toBe('rank');
    const state = run([...sampled(2), { type: 'MODE_CHANGED', mode: 'threshold' }]);
    expect(state.mode).toBe('threshold');
    expect(canSearch(state)).toBe(true);
    const trackId = state.tracks[0]!.id;
    expect(clipPanelReducer(state, { type: 'TRACK_SELECTED', trackId }).mode).toBe('threshold');
  });
});
