import type { ActionError } from '@/lib/shared/errors';
import type { SearchMode } from '@/lib/shared/schemas/search';
import type { Box } from '@/lib/vision/geometry';
import type { AnalyseResult, DetectResult } from '@/lib/vision/worker-protocol';

// The probe workbench as one reducer. It is pure: the component does the I/O (the worker, object URLs,
// the server actions) and reports what happened as events. Whatever must be let go of — an object URL
// that nothing shows any more, a decoded image the worker holds — is put on `disposals` for the
// component to revoke or release, so nothing is leaked when a still is replaced, reset or arrives late.

export type FaceAnalysis =
  | { status: 'queued' }
  | { status: 'running' }
  | { status: 'done'; result: AnalyseResult; cropUrl: string | null }
  | { status: 'error'; message: string };

export type WorkbenchFace = {
  key: string;
  box: Box;
  /** The detector's confidence; null for a box the investigator drew. */
  score: number | null;
  analysis: FaceAnalysis;
  /**
   * Chosen at the first Search of this face of this still and sent again on every retry, so a search that
   * failed after the face was recorded does not record a second probe face.
   */
  idempotencyKey: string | null;
};

export type StillState =
  | { phase: 'none' }
  | { phase: 'detecting'; id: string; fileName: string }
  | { phase: 'ready'; id: string; file: File; url: string; sha256: string; detect: DetectResult }
  | { phase: 'failed'; id: string };

export type SubmitState =
  | { phase: 'idle' }
  | { phase: 'recording'; faceKey: string }
  | { phase: 'searching'; faceKey: string }
  /** Recording the selected face to add it to the tray ("this person"). */
  | { phase: 'adding'; faceKey: string }
  /** Searching every face in the tray as one probe. */
  | { phase: 'searching-tray' }
  | { phase: 'error' };

/**
 * A face recorded and put aside as one of several faces of the same person (issue 11 §3). The tray
 * outlives the still it came from: the investigator gathers faces from several stills, then searches
 * them together. Its thumbnail is the recorded crop as the server serves it, so it needs no object URL.
 */
export type TrayFace = {
  probeFaceId: string;
  /** Where it came from, to name it and to know the face is already in the tray. */
  stillId: string;
  faceKey: string;
  label: string;
  /** The server's verdict on the recorded crop. */
  qualityVerdict: 'good' | 'usable' | 'poor';
  /** The browser's reading: below the search policy on its own. */
  needsOverride: boolean;
  modelId: string;
};

/** A probe is at most ten faces (lib/shared/schemas/search.ts). */
export const MAX_TRAY_FACES = 10;

export type Disposal = { kind: 'object-url'; url: string } | { kind: 'worker-image'; imageId: string };

export type WorkbenchState = {
  still: StillState;
  faces: WorkbenchFace[];
  selectedKey: string | null;
  hoveredKey: string | null;
  isDrawing: boolean;
  /** Numbers hand-drawn boxes within a still, so their keys never collide. */
  manualCount: number;
  /** What is under way, for the live region; null when nothing is. */
  status: string | null;
  /** Why the still cannot be used as it is (unreadable, no face found). */
  problem: string | null;
  actionError: ActionError | null;
  mode: SearchMode;
  chosenWatchlistIds: string[];
  /** Every watch-list is searched unless the investigator unticks it; a new still starts from this again. */
  defaultWatchlistIds: string[];
  submit: SubmitState;
  /** Faces of one person gathered across stills, in the order added; the first is the primary face. */
  tray: TrayFace[];
  disposals: Disposal[];
};

export type WorkbenchEvent =
  | { type: 'STILL_CHOSEN'; stillId: string; fileName: string }
  | { type: 'DETECTED'; stillId: string; file: File; url: string; sha256: string; detect: DetectResult }
  | { type: 'DETECT_FAILED'; stillId: string; message: string }
  | { type: 'RESET_STILL' }
  | { type: 'FACE_SELECTED'; key: string }
  | { type: 'FACE_STEPPED'; delta: 1 | -1 }
  | { type: 'FACE_HOVERED'; key: string | null }
  | { type: 'DRAWING_TOGGLED' }
  | { type: 'DRAWING_CANCELLED' }
  | { type: 'MANUAL_BOX_DRAWN'; box: Box }
  | { type: 'ANALYSIS_STARTED'; stillId: string; faceKey: string }
  | { type: 'ANALYSIS_DONE'; stillId: string; faceKey: string; result: AnalyseResult; cropUrl: string | null }
  | { type: 'ANALYSIS_FAILED'; stillId: string; faceKey: string; message: string }
  | { type: 'MODE_CHANGED'; mode: SearchMode }
  | { type: 'WATCHLIST_TOGGLED'; watchlistId: string; isChosen: boolean }
  | { type: 'SUBMIT_STARTED'; stillId: string; faceKey: string; idempotencyKey: string }
  | { type: 'PROBE_RECORDED'; stillId: string }
  | { type: 'SUBMIT_FAILED'; stillId: string; error: ActionError }
  | { type: 'TRAY_ADD_STARTED'; stillId: string; faceKey: string; idempotencyKey: string }
  | { type: 'TRAY_FACE_RECORDED'; face: TrayFace }
  | { type: 'TRAY_FACE_REMOVED'; probeFaceId: string }
  | { type: 'TRAY_SEARCH_STARTED' }
  /** Adding to, or searching, the tray failed; not tied to a still (the tray outlives it). */
  | { type: 'TRAY_FAILED'; error: ActionError }
  | { type: 'DISPOSED'; disposals: Disposal[] };

export const NO_FACE_FOUND = 'No face was found. Draw a box around the face if there is one.';
export const STATUS_DETECTING = 'Loading the face models and looking for faces…';
export const STATUS_RECORDING = 'Recording the face…';
export const STATUS_SEARCHING = 'Searching the watch-lists…';
export const STATUS_ADDING = 'Recording the face for this person…';

export function initialWorkbenchState(watchlistIds: readonly string[]): WorkbenchState {
  return {
    still: { phase: 'none' },
    faces: [],
    selectedKey: null,
    hoveredKey: null,
    isDrawing: false,
    manualCount: 0,
    status: null,
    problem: null,
    actionError: null,
    mode: 'rank',
    chosenWatchlistIds: [...watchlistIds],
    defaultWatchlistIds: [...watchlistIds],
    submit: { phase: 'idle' },
    tray: [],
    disposals: [],
  };
}

export function workbenchReducer(state: WorkbenchState, event: WorkbenchEvent): WorkbenchState {
  const next = transition(state, event);
  if (next === state) return state;
  const status = statusOf(next);
  return status === next.status ? next : { ...next, status };
}

function transition(state: WorkbenchState, event: WorkbenchEvent): WorkbenchState {
  switch (event.type) {
    case 'STILL_CHOSEN':
      return { ...clearedStill(state), still: { phase: 'detecting', id: event.stillId, fileName: event.fileName } };

    case 'DETECTED': {
      // A still the investigator has since replaced or put away: its URL and worker image go at once.
      if (state.still.phase !== 'detecting' || state.still.id !== event.stillId) {
        return dispose(state, [
          { kind: 'object-url', url: event.url },
          { kind: 'worker-image', imageId: event.detect.imageId },
        ]);
      }
      const faces = event.detect.faces.map(
        (face, index): WorkbenchFace => ({ key: `d${index}`, box: face.box, score: face.score, analysis: { status: 'queued' }, idempotencyKey: null }),
      );
      return {
        ...state,
        still: { phase: 'ready', id: event.stillId, file: event.file, url: event.url, sha256: event.sha256, detect: event.detect },
        faces,
        // One face is the face; of several, the investigator says which. The first found is not a choice.
        selectedKey: faces.length === 1 ? faces[0]!.key : null,
        problem: faces.length === 0 ? NO_FACE_FOUND : null,
      };
    }

    case 'DETECT_FAILED':
      if (state.still.phase !== 'detecting' || state.still.id !== event.stillId) return state;
      return { ...state, still: { phase: 'failed', id: event.stillId }, problem: event.message };

    case 'RESET_STILL':
      return clearedStill(state);

    case 'FACE_SELECTED':
      if (isSubmitting(state) || !state.faces.some((face) => face.key === event.key)) return state;
      return selectFace(state, event.key);

    case 'FACE_STEPPED': {
      if (isSubmitting(state) || state.faces.length === 0) return state;
      const count = state.faces.length;
      const position = state.faces.findIndex((face) => face.key === state.selectedKey);
      const target = position === -1 ? (event.delta === 1 ? 0 : count - 1) : (position + event.delta + count) % count;
      return selectFace(state, state.faces[target]!.key);
    }

    case 'FACE_HOVERED':
      return state.hoveredKey === event.key ? state : { ...state, hoveredKey: event.key };

    case 'DRAWING_TOGGLED':
      if (state.still.phase !== 'ready') return state;
      return { ...state, isDrawing: !state.isDrawing };

    case 'DRAWING_CANCELLED':
      return state.isDrawing ? { ...state, isDrawing: false } : state;

    case 'MANUAL_BOX_DRAWN': {
      if (state.still.phase !== 'ready' || isSubmitting(state)) return state;
      const face: WorkbenchFace = { key: `m${state.manualCount + 1}`, box: event.box, score: null, analysis: { status: 'queued' }, idempotencyKey: null };
      // Drawing a box is choosing that face.
      const drawn = { ...state, faces: [...state.faces, face], manualCount: state.manualCount + 1, isDrawing: false, problem: null };
      return selectFace(drawn, face.key);
    }

    case 'ANALYSIS_STARTED':
      if (!isCurrentStill(state, event.stillId)) return state;
      return updateFace(state, event.faceKey, (face) => (face.analysis.status === 'queued' ? { ...face, analysis: { status: 'running' } } : face));

    case 'ANALYSIS_DONE': {
      const face = state.faces.find((entry) => entry.key === event.faceKey);
      if (!isCurrentStill(state, event.stillId) || face?.analysis.status !== 'running') {
        return event.cropUrl ? dispose(state, [{ kind: 'object-url', url: event.cropUrl }]) : state;
      }
      // Only the face's own card changes: a measurement finishing never moves the selection.
      return updateFace(state, event.faceKey, (entry) => ({ ...entry, analysis: { status: 'done', result: event.result, cropUrl: event.cropUrl } }));
    }

    case 'ANALYSIS_FAILED':
      if (!isCurrentStill(state, event.stillId)) return state;
      return updateFace(state, event.faceKey, (face) =>
        face.analysis.status === 'running' ? { ...face, analysis: { status: 'error', message: event.message } } : face,
      );

    case 'MODE_CHANGED':
      return { ...state, mode: event.mode };

    case 'WATCHLIST_TOGGLED': {
      const others = state.chosenWatchlistIds.filter((id) => id !== event.watchlistId);
      return { ...state, chosenWatchlistIds: event.isChosen ? [...others, event.watchlistId] : others };
    }

    case 'SUBMIT_STARTED': {
      if (!isCurrentStill(state, event.stillId) || isSubmitting(state) || state.selectedKey !== event.faceKey) return state;
      const face = state.faces.find((entry) => entry.key === event.faceKey);
      if (face?.analysis.status !== 'done') return state;
      const withKey = updateFace(state, face.key, (entry) => ({ ...entry, idempotencyKey: entry.idempotencyKey ?? event.idempotencyKey }));
      return { ...withKey, submit: { phase: 'recording', faceKey: face.key }, actionError: null };
    }

    case 'PROBE_RECORDED':
      if (!isCurrentStill(state, event.stillId) || state.submit.phase !== 'recording') return state;
      return { ...state, submit: { phase: 'searching', faceKey: state.submit.faceKey } };

    case 'SUBMIT_FAILED':
      if (!isCurrentStill(state, event.stillId) || !isSubmitting(state)) return state;
      return { ...state, submit: { phase: 'error' }, actionError: event.error };

    case 'TRAY_ADD_STARTED': {
      if (!isCurrentStill(state, event.stillId) || !canAddToTray(state) || state.selectedKey !== event.faceKey) return state;
      // The same key the face's Search would send: adding and then searching the face alone records it once.
      const withKey = updateFace(state, event.faceKey, (entry) => ({ ...entry, idempotencyKey: entry.idempotencyKey ?? event.idempotencyKey }));
      return { ...withKey, submit: { phase: 'adding', faceKey: event.faceKey }, actionError: null };
    }

    case 'TRAY_FACE_RECORDED': {
      if (state.submit.phase !== 'adding') return state;
      const idle = { ...state, submit: { phase: 'idle' } as const };
      // A retried add returns the face already recorded: it is in the tray once.
      if (state.tray.some((face) => face.probeFaceId === event.face.probeFaceId) || state.tray.length >= MAX_TRAY_FACES) return idle;
      return { ...idle, tray: [...state.tray, event.face] };
    }

    case 'TRAY_FACE_REMOVED': {
      if (isSubmitting(state) || !state.tray.some((face) => face.probeFaceId === event.probeFaceId)) return state;
      const tray = state.tray.filter((face) => face.probeFaceId !== event.probeFaceId);
      // An error about the tray as it was is not about the tray as it is now.
      return state.submit.phase === 'error' ? { ...state, tray, submit: { phase: 'idle' }, actionError: null } : { ...state, tray };
    }

    case 'TRAY_SEARCH_STARTED':
      if (!canSearchTray(state)) return state;
      return { ...state, submit: { phase: 'searching-tray' }, actionError: null };

    case 'TRAY_FAILED':
      if (state.submit.phase !== 'adding' && state.submit.phase !== 'searching-tray') return state;
      return { ...state, submit: { phase: 'error' }, actionError: event.error };

    case 'DISPOSED': {
      const done = new Set(event.disposals);
      return { ...state, disposals: state.disposals.filter((disposal) => !done.has(disposal)) };
    }
  }
}

/** Back to no still: the form, faces and errors go, and what the old still held is handed back. */
function clearedStill(state: WorkbenchState): WorkbenchState {
  return {
    ...initialWorkbenchState(state.defaultWatchlistIds),
    // The tray is the person, not the still: it stays while stills change.
    tray: state.tray,
    disposals: [...state.disposals, ...heldBy(state)],
  };
}

function selectFace(state: WorkbenchState, key: string): WorkbenchState {
  // An error from searching another face is no longer about the face on screen.
  const submit: SubmitState = state.submit.phase === 'error' ? { phase: 'idle' } : state.submit;
  return { ...state, selectedKey: key, submit, actionError: submit === state.submit ? state.actionError : null };
}

function updateFace(state: WorkbenchState, key: string, change: (face: WorkbenchFace) => WorkbenchFace): WorkbenchState {
  let isChanged = false;
  const faces = state.faces.map((face) => {
    if (face.key !== key) return face;
    const changed = change(face);
    isChanged ||= changed !== face;
    return changed;
  });
  return isChanged ? { ...state, faces } : state;
}

function dispose(state: WorkbenchState, disposals: Disposal[]): WorkbenchState {
  return { ...state, disposals: [...state.disposals, ...disposals] };
}

function isCurrentStill(state: WorkbenchState, stillId: string): boolean {
  return state.still.phase !== 'none' && state.still.id === stillId;
}

export function isSubmitting(state: WorkbenchState): boolean {
  return state.submit.phase === 'recording' || state.submit.phase === 'searching' || state.submit.phase === 'adding' || state.submit.phase === 'searching-tray';
}

/** The tray entry of the selected face of the current still, if it was added. */
export function trayFaceOfSelected(state: WorkbenchState): TrayFace | null {
  if (state.still.phase !== 'ready') return null;
  const stillId = state.still.id;
  return state.tray.find((face) => face.stillId === stillId && face.faceKey === state.selectedKey) ?? null;
}

/** Whether "Add this face to this person" can be pressed: a measured face, not yet in a tray with room. */
export function canAddToTray(state: WorkbenchState): boolean {
  if (state.still.phase !== 'ready' || isSubmitting(state) || state.tray.length >= MAX_TRAY_FACES) return false;
  const face = selectedFaceOf(state);
  return face?.analysis.status === 'done' && face.analysis.result.crop.format !== 'rgba' && trayFaceOfSelected(state) === null;
}

/** Whether the tray can be searched as one person: two faces or more (one is an ordinary Search). */
export function canSearchTray(state: WorkbenchState): boolean {
  return state.tray.length >= 2 && !isSubmitting(state) && state.chosenWatchlistIds.length > 0;
}

/** The tray as a search's probe: the first face added is the primary one, the others extra. */
export function trayProbe(state: WorkbenchState): { probeFaceId: string; extraProbeFaceIds: string[] } | null {
  const [first, ...rest] = state.tray;
  return first ? { probeFaceId: first.probeFaceId, extraProbeFaceIds: rest.map((face) => face.probeFaceId) } : null;
}

/** The tray needs a written reason when even its best face is below the policy (as the server judges a set). */
export function trayNeedsOverride(state: WorkbenchState): boolean {
  return state.tray.length > 0 && state.tray.every((face) => face.needsOverride);
}

/** The object URLs and worker image the current still holds (not counting what already awaits disposal). */
export function heldBy(state: WorkbenchState): Disposal[] {
  const held: Disposal[] = [];
  if (state.still.phase === 'ready') {
    held.push({ kind: 'object-url', url: state.still.url }, { kind: 'worker-image', imageId: state.still.detect.imageId });
  }
  for (const face of state.faces) {
    if (face.analysis.status === 'done' && face.analysis.cropUrl) held.push({ kind: 'object-url', url: face.analysis.cropUrl });
  }
  return held;
}

/** Everything to let go of when the workbench goes away. */
export function everythingHeld(state: WorkbenchState): Disposal[] {
  return [...state.disposals, ...heldBy(state)];
}

export function selectedFaceOf(state: WorkbenchState): WorkbenchFace | null {
  return state.faces.find((face) => face.key === state.selectedKey) ?? null;
}

export type AnalysisJob = { id: string; stillId: string; imageId: string; face: WorkbenchFace };

/**
 * The next face to measure, one at a time so each card gets its quality: the selected face first if it
 * is waiting, then the others in the order found. Null while one is being measured.
 */
export function nextAnalysisJob(state: WorkbenchState): AnalysisJob | null {
  if (state.still.phase !== 'ready') return null;
  if (state.faces.some((face) => face.analysis.status === 'running')) return null;
  const selected = selectedFaceOf(state);
  const face = selected?.analysis.status === 'queued' ? selected : state.faces.find((entry) => entry.analysis.status === 'queued');
  if (!face) return null;
  return { id: `${state.still.id}/${face.key}`, stillId: state.still.id, imageId: state.still.detect.imageId, face };
}

export type Submission = {
  stillId: string;
  still: Extract<StillState, { phase: 'ready' }>;
  face: WorkbenchFace;
  result: AnalyseResult;
  crop: Blob;
  idempotencyKey: string;
};

/**
 * What pressing Search would send, or null when it cannot be pressed. `freshKey` is used only for a face
 * not yet submitted; a face submitted before keeps its key.
 */
export function submissionFor(state: WorkbenchState, freshKey: string): Submission | null {
  return state.chosenWatchlistIds.length === 0 ? null : recordingFor(state, freshKey);
}

/** What recording the selected face would send (for Search, or to add it to the tray), or null. */
export function recordingFor(state: WorkbenchState, freshKey: string): Submission | null {
  if (state.still.phase !== 'ready' || isSubmitting(state)) return null;
  const face = selectedFaceOf(state);
  if (face?.analysis.status !== 'done' || face.analysis.result.crop.format === 'rgba') return null;
  return {
    stillId: state.still.id,
    still: state.still,
    face,
    result: face.analysis.result,
    crop: face.analysis.result.crop.blob,
    idempotencyKey: face.idempotencyKey ?? freshKey,
  };
}

/** Whether Search can be pressed now. */
export function canSearch(state: WorkbenchState): boolean {
  return submissionFor(state, '') !== null;
}

function statusOf(state: WorkbenchState): string | null {
  if (state.still.phase === 'detecting') return STATUS_DETECTING;
  if (state.submit.phase === 'recording') return STATUS_RECORDING;
  if (state.submit.phase === 'searching') return STATUS_SEARCHING;
  if (state.submit.phase === 'adding') return STATUS_ADDING;
  if (state.submit.phase === 'searching-tray') return `Searching the watch-lists with ${state.tray.length} faces of one person…`;
  const running = state.faces.findIndex((face) => face.analysis.status === 'running');
  if (running === -1) return null;
  return state.faces.length === 1 ? 'Measuring the face…' : `Measuring face ${running + 1} of ${state.faces.length}…`;
}
