import type { ActionError } from '@/lib/shared/errors';
import type { SearchMode } from '@/lib/shared/schemas/search';
import { formatClipTime } from '@/lib/shared/clip-frame-label';
import { cosineSimilarity, rankTrackFrames, trackFaces } from '@/lib/vision/track-faces';
import type { AnalyseResult } from '@/lib/vision/worker-protocol';

// The clip panel as one reducer, pure like the still workbench's: the component samples the clip, talks
// to the worker and the server, and reports what happened as events. Results that arrive for a clip
// that was replaced or cancelled are dropped, and their object URLs put on `disposals` to be revoked.

/** Frames proposed (ticked) for a track's search unless the investigator changes them. */
export const DEFAULT_CHOSEN_FRAMES = 5;
/** One probe face and up to nine more: what a multi-face search accepts. */
export const MAX_CHOSEN_FRAMES = 10;
/** Frames offered per track, as thumbnails: as many as may be chosen. */
export const SHOWN_FRAMES_PER_TRACK = MAX_CHOSEN_FRAMES;

export const NO_FACE_IN_CLIP = 'No face was found in the sampled frames of this clip. Try a clip where the face is nearer the camera, or export a still and draw a box on it.';
export const STATUS_OPENING = 'Opening the clip and loading the face models…';
export const STATUS_RECORDING = 'Recording the chosen frames…';
export const STATUS_SEARCHING = 'Searching the watch-lists…';

export type ClipFace = {
  key: string;
  frameIndex: number;
  timeMs: number;
  /** SHA-256 of the frame as the worker encoded it: the probe's still hash for this face. */
  frameSha256: string;
  frameWidth: number;
  frameHeight: number;
  result: AnalyseResult;
  cropUrl: string | null;
};

export type ClipTrack = {
  id: number;
  /** Every face of the track, best quality first. */
  rankedKeys: string[];
  firstMs: number;
  lastMs: number;
  chosenKeys: string[];
  /** The thumbnails offered: fixed when the track is built, so ticking or unticking never moves them. */
  shownKeys: string[];
};

export type ClipPhase = 'idle' | 'opening' | 'sampling' | 'ready' | 'failed' | 'cancelled';

export type ClipInfo = {
  id: string;
  fileName: string;
  sha256: string | null;
  durationS: number | null;
  totalFrames: number | null;
  /** From choosing the clip to the tracks, for the investigator (and the e2e log) to see what a clip costs. */
  analysisMs: number | null;
};

export type SubmitState = { phase: 'idle' } | { phase: 'recording'; trackId: number } | { phase: 'searching'; trackId: number } | { phase: 'error' };

export type ClipPanelState = {
  phase: ClipPhase;
  clip: ClipInfo | null;
  framesDone: number;
  faces: Record<string, ClipFace>;
  tracks: ClipTrack[];
  selectedTrackId: number | null;
  problem: string | null;
  actionError: ActionError | null;
  chosenWatchlistIds: string[];
  mode: SearchMode;
  /** Chosen at a face's first submission and sent again on every retry, so no frame is recorded twice. */
  idempotencyKeys: Record<string, string>;
  submit: SubmitState;
  disposals: string[];
};

export type FrameFaces = { result: AnalyseResult; cropUrl: string | null }[];

export type ClipPanelEvent =
  | { type: 'CLIP_CHOSEN'; clipId: string; fileName: string }
  | { type: 'CLIP_OPENED'; clipId: string; durationS: number; totalFrames: number }
  | { type: 'CLIP_HASHED'; clipId: string; sha256: string }
  | { type: 'FRAME_ANALYSED'; clipId: string; frameIndex: number; timeMs: number; frameSha256: string | null; width: number; height: number; faces: FrameFaces }
  | { type: 'SAMPLING_DONE'; clipId: string; analysisMs: number }
  | { type: 'CLIP_FAILED'; clipId: string; message: string }
  | { type: 'CANCELLED'; clipId: string }
  | { type: 'RESET' }
  | { type: 'TRACK_SELECTED'; trackId: number }
  | { type: 'FRAME_TOGGLED'; trackId: number; faceKey: string; isChosen: boolean }
  | { type: 'WATCHLIST_TOGGLED'; watchlistId: string; isChosen: boolean }
  | { type: 'MODE_CHANGED'; mode: SearchMode }
  | { type: 'SUBMIT_STARTED'; trackId: number; idempotencyKeys: Record<string, string> }
  | { type: 'FRAMES_RECORDED'; trackId: number }
  | { type: 'SUBMIT_FAILED'; error: ActionError }
  | { type: 'DISPOSED'; urls: string[] };

export function initialClipPanelState(watchlistIds: readonly string[]): ClipPanelState {
  return {
    phase: 'idle',
    clip: null,
    framesDone: 0,
    faces: {},
    tracks: [],
    selectedTrackId: null,
    problem: null,
    actionError: null,
    chosenWatchlistIds: [...watchlistIds],
    mode: 'rank',
    idempotencyKeys: {},
    submit: { phase: 'idle' },
    disposals: [],
  };
}

function urlsOf(faces: Iterable<{ cropUrl: string | null }>): string[] {
  return [...faces].flatMap((face) => (face.cropUrl ? [face.cropUrl] : []));
}

function isCurrent(state: ClipPanelState, clipId: string): boolean {
  return state.clip?.id === clipId && (state.phase === 'opening' || state.phase === 'sampling');
}

/** Above this cosine two faces of a track are the same view (a person standing still, a re-encoded frame). */
export const NEAR_DUPLICATE_COSINE = 0.95;

/**
 * The frames ticked by default: the best by quality, but a frame identical to one already ticked (same
 * image hash) never, and a near-duplicate view only when too few distinct views remain, since a
 * multi-frame probe gains from different views, not from the same one twice. The investigator may change them.
 */
export function proposeFrames(rankedKeys: readonly string[], faces: Record<string, ClipFace>, count = DEFAULT_CHOSEN_FRAMES): string[] {
  const chosen: string[] = [];
  const isSameImage = (key: string) => chosen.some((other) => faces[other]!.frameSha256 === faces[key]!.frameSha256);
  const isNearDuplicate = (key: string) =>
    chosen.some((other) => cosineSimilarity(faces[other]!.result.embedding, faces[key]!.result.embedding) > NEAR_DUPLICATE_COSINE);
  for (const key of rankedKeys) if (chosen.length < count && !isSameImage(key) && !isNearDuplicate(key)) chosen.push(key);
  for (const key of rankedKeys) if (chosen.length < count && !chosen.includes(key) && !isSameImage(key)) chosen.push(key);
  // Kept in quality order, so the best frame is the search's first face.
  return rankedKeys.filter((key) => chosen.includes(key));
}

/** Links the faces into tracks, best frames first, with the frames proposed for a search ticked. */
export function buildTracks(faces: Record<string, ClipFace>): ClipTrack[] {
  const byFrame = new Map<number, ClipFace[]>();
  for (const face of Object.values(faces)) byFrame.set(face.frameIndex, [...(byFrame.get(face.frameIndex) ?? []), face]);
  const frames = [...byFrame.entries()].map(([index, list]) => ({
    index,
    timeMs: list[0]!.timeMs,
    faces: list.map((face) => ({ box: face.result.box, embedding: face.result.embedding, quality: face.result.quality, key: face.key })),
  }));
  const tracks = trackFaces(frames).map((track) => {
    const rankedKeys = rankTrackFrames(track).map((member) => member.face.key);
    const chosenKeys = proposeFrames(rankedKeys, faces);
    return { rankedKeys, chosenKeys, shownKeys: framesToShow(rankedKeys, chosenKeys), firstMs: track.members[0]!.timeMs, lastMs: track.members.at(-1)!.timeMs };
  });
  // The person seen longest first: usually the one the clip was exported for.
  tracks.sort((a, b) => b.rankedKeys.length - a.rankedKeys.length || a.firstMs - b.firstMs);
  return tracks.map((track, index) => ({ id: index + 1, ...track }));
}

export function clipPanelReducer(state: ClipPanelState, event: ClipPanelEvent): ClipPanelState {
  switch (event.type) {
    case 'CLIP_CHOSEN': {
      if (isSubmitting(state)) return state;
      return {
        ...initialClipPanelState(state.chosenWatchlistIds),
        phase: 'opening',
        clip: { id: event.clipId, fileName: event.fileName, sha256: null, durationS: null, totalFrames: null, analysisMs: null },
        disposals: [...state.disposals, ...urlsOf(Object.values(state.faces))],
      };
    }
    case 'CLIP_OPENED':
      if (!isCurrent(state, event.clipId)) return state;
      return { ...state, phase: 'sampling', clip: { ...state.clip!, durationS: event.durationS, totalFrames: event.totalFrames } };
    case 'CLIP_HASHED':
      if (state.clip?.id !== event.clipId) return state;
      return { ...state, clip: { ...state.clip, sha256: event.sha256 } };
    case 'FRAME_ANALYSED': {
      if (!isCurrent(state, event.clipId)) return { ...state, disposals: [...state.disposals, ...urlsOf(event.faces)] };
      const faces = { ...state.faces };
      if (event.frameSha256) {
        event.faces.forEach((face, faceIndex) => {
          const key = `f${event.frameIndex}-${faceIndex}`;
          faces[key] = {
            key,
            frameIndex: event.frameIndex,
            timeMs: event.timeMs,
            frameSha256: event.frameSha256!,
            frameWidth: event.width,
            frameHeight: event.height,
            result: face.result,
            cropUrl: face.cropUrl,
          };
        });
      }
      return { ...state, faces, framesDone: state.framesDone + 1 };
    }
    case 'SAMPLING_DONE': {
      if (!isCurrent(state, event.clipId)) return state;
      const tracks = buildTracks(state.faces);
      return { ...state, phase: 'ready', clip: { ...state.clip!, analysisMs: event.analysisMs }, tracks, selectedTrackId: tracks[0]?.id ?? null, problem: tracks.length === 0 ? NO_FACE_IN_CLIP : null };
    }
    case 'CLIP_FAILED':
      if (!isCurrent(state, event.clipId)) return state;
      return { ...state, phase: 'failed', problem: event.message };
    case 'CANCELLED':
      if (!isCurrent(state, event.clipId)) return state;
      return {
        ...initialClipPanelState(state.chosenWatchlistIds),
        phase: 'cancelled',
        problem: 'Sampling was cancelled. Choose the clip again to start over.',
        disposals: [...state.disposals, ...urlsOf(Object.values(state.faces))],
      };
    case 'RESET':
      if (isSubmitting(state)) return state;
      return { ...initialClipPanelState(state.chosenWatchlistIds), disposals: [...state.disposals, ...urlsOf(Object.values(state.faces))] };
    case 'TRACK_SELECTED':
      if (isSubmitting(state) || !state.tracks.some((track) => track.id === event.trackId)) return state;
      return { ...state, selectedTrackId: event.trackId, actionError: null };
    case 'FRAME_TOGGLED': {
      if (isSubmitting(state)) return state;
      const tracks = state.tracks.map((track) => {
        if (track.id !== event.trackId || !track.shownKeys.includes(event.faceKey)) return track;
        const others = track.chosenKeys.filter((key) => key !== event.faceKey);
        if (!event.isChosen) return { ...track, chosenKeys: others };
        if (others.length >= MAX_CHOSEN_FRAMES) return track;
        // Kept in quality order, so the best chosen frame is the search's first face.
        return { ...track, chosenKeys: track.rankedKeys.filter((key) => key === event.faceKey || others.includes(key)) };
      });
      return { ...state, tracks };
    }
    case 'WATCHLIST_TOGGLED': {
      const others = state.chosenWatchlistIds.filter((id) => id !== event.watchlistId);
      return { ...state, chosenWatchlistIds: event.isChosen ? [...others, event.watchlistId] : others };
    }
    case 'MODE_CHANGED':
      return { ...state, mode: event.mode };
    case 'SUBMIT_STARTED':
      if (!canSearch(state) || state.selectedTrackId !== event.trackId) return state;
      return { ...state, submit: { phase: 'recording', trackId: event.trackId }, idempotencyKeys: { ...state.idempotencyKeys, ...event.idempotencyKeys }, actionError: null };
    case 'FRAMES_RECORDED':
      if (state.submit.phase !== 'recording' || state.submit.trackId !== event.trackId) return state;
      return { ...state, submit: { phase: 'searching', trackId: event.trackId } };
    case 'SUBMIT_FAILED':
      if (!isSubmitting(state)) return state;
      return { ...state, submit: { phase: 'error' }, actionError: event.error };
    case 'DISPOSED':
      return { ...state, disposals: state.disposals.filter((url) => !event.urls.includes(url)) };
  }
}

export function isSubmitting(state: ClipPanelState): boolean {
  return state.submit.phase === 'recording' || state.submit.phase === 'searching';
}

export function selectedTrackOf(state: ClipPanelState): ClipTrack | null {
  return state.tracks.find((track) => track.id === state.selectedTrackId) ?? null;
}

export function canSearch(state: ClipPanelState): boolean {
  const track = selectedTrackOf(state);
  return state.phase === 'ready' && Boolean(state.clip?.sha256) && !isSubmitting(state) && Boolean(track && track.chosenKeys.length > 0) && state.chosenWatchlistIds.length > 0;
}

/** The chosen faces needing a submission key (a retry reuses the ones already chosen). */
export function facesNeedingKeys(state: ClipPanelState): string[] {
  return (selectedTrackOf(state)?.chosenKeys ?? []).filter((key) => !state.idempotencyKeys[key]);
}

export type ClipSubmission = {
  clip: { sha256: string; fileName: string };
  trackId: number;
  frames: (ClipFace & { idempotencyKey: string })[];
};

/** What a search of the selected track sends, best frame first; null while it cannot be searched. */
export function submissionOf(state: ClipPanelState): ClipSubmission | null {
  const track = selectedTrackOf(state);
  if (!track || !state.clip?.sha256 || state.submit.phase !== 'recording') return null;
  const frames = track.chosenKeys.map((key) => ({ ...state.faces[key]!, idempotencyKey: state.idempotencyKeys[key]! }));
  if (frames.some((frame) => !frame.idempotencyKey)) return null;
  return { clip: { sha256: state.clip.sha256, fileName: state.clip.fileName }, trackId: track.id, frames };
}

export function statusOf(state: ClipPanelState): string | null {
  if (state.phase === 'opening') return STATUS_OPENING;
  if (state.phase === 'sampling') return `Sampling frame ${Math.min(state.framesDone + 1, state.clip?.totalFrames ?? 0)} of ${state.clip?.totalFrames ?? 0}`;
  if (state.submit.phase === 'recording') return STATUS_RECORDING;
  if (state.submit.phase === 'searching') return STATUS_SEARCHING;
  return null;
}

export function describeTrack(track: ClipTrack): string {
  const span = track.firstMs === track.lastMs ? `at ${formatClipTime(track.firstMs)}` : `${formatClipTime(track.firstMs)}–${formatClipTime(track.lastMs)}`;
  return `Person ${track.id}: seen in ${track.rankedKeys.length} frame${track.rankedKeys.length === 1 ? '' : 's'}, ${span}`;
}

/** The frames offered for a track: every proposed one, then the best of the rest, up to SHOWN_FRAMES_PER_TRACK, in quality order. */
export function framesToShow(rankedKeys: readonly string[], chosenKeys: readonly string[]): string[] {
  const room = Math.max(0, SHOWN_FRAMES_PER_TRACK - chosenKeys.length);
  const others = rankedKeys.filter((key) => !chosenKeys.includes(key)).slice(0, room);
  return rankedKeys.filter((key) => chosenKeys.includes(key) || others.includes(key));
}

/** Every object URL the panel holds, for the component to revoke when it unmounts. */
export function everythingHeld(state: ClipPanelState): string[] {
  return [...state.disposals, ...urlsOf(Object.values(state.faces))];
}
