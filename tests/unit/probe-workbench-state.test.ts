import { describe, expect, it } from 'vitest';
import {
  canAddToTray,
  canSearch,
  canSearchTray,
  MAX_TRAY_FACES,
  trayFaceOfSelected,
  trayNeedsOverride,
  trayProbe,
  everythingHeld,
  initialWorkbenchState,
  nextAnalysisJob,
  NO_FACE_FOUND,
  selectedFaceOf,
  STATUS_DETECTING,
  STATUS_RECORDING,
  STATUS_ADDING,
  STATUS_SEARCHING,
  submissionFor,
  type TrayFace,
  workbenchReducer,
  type WorkbenchEvent,
  type WorkbenchState,
} from '@/components/detection/probe-workbench-state';
import type { AnalyseResult, DetectResult } from '@/lib/vision/worker-protocol';

const LISTS = ['list-a', 'list-b'];
const KEY_1 = '11111111-1111-4111-8111-111111111111';
const KEY_2 = '22222222-2222-4222-8222-222222222222';

function detectResult(imageId: string, faceCount: number): DetectResult {
  return {
    imageId,
    width: 640,
    height: 480,
    info: { originalWidth: 1280, originalHeight: 960, scale: 0.5 },
    faces: Array.from({ length: faceCount }, (_, index) => ({ box: { x: 10 + 100 * index, y: 20, width: 60, height: 70 }, score: 0.9 - index / 10 })),
    detectorId: 'detector@1',
    decodeMs: 5,
    ms: 40,
  } as unknown as DetectResult;
}

function analyseResult(verdict: 'good' | 'poor' = 'good'): AnalyseResult {
  return {
    box: { x: 0, y: 0, width: 60, height: 70 },
    detectorScore: 0.9,
    isManualBox: false,
    landmarks: { points5: [] },
    quality: { verdict, metrics: { interEyePx: 30 }, reasons: [], needsOverride: verdict === 'poor' },
    crop: { format: 'png', width: 112, height: 112, blob: new Blob(['png'], { type: 'image/png' }) },
    embedding: new Float32Array(512),
    modelId: 'model@1',
    ms: 20,
  } as unknown as AnalyseResult;
}

function run(events: WorkbenchEvent[], from: WorkbenchState = initialWorkbenchState(LISTS)): WorkbenchState {
  return events.reduce(workbenchReducer, from);
}

/** A still chosen and detected with `faceCount` faces. */
function withStill(faceCount: number, stillId = 'still-1', imageId = 'image-1'): WorkbenchState {
  return run([
    { type: 'STILL_CHOSEN', stillId, fileName: 'cctv.jpg' },
    { type: 'DETECTED', stillId, file: new File(['x'], 'cctv.jpg'), url: `blob:${stillId}`, sha256: 'a'.repeat(64), detect: detectResult(imageId, faceCount) },
  ]);
}

/** Runs the component's analysis loop: start the next job, finish it, until none is left. */
function analyseAll(state: WorkbenchState, stillId = 'still-1'): WorkbenchState {
  for (let job = nextAnalysisJob(state); job; job = nextAnalysisJob(state)) {
    state = run(
      [
        { type: 'ANALYSIS_STARTED', stillId, faceKey: job.face.key },
        { type: 'ANALYSIS_DONE', stillId, faceKey: job.face.key, result: analyseResult(), cropUrl: `blob:crop-${job.face.key}` },
      ],
      state,
    );
  }
  return state;
}

describe('choosing and detecting a still', () => {
  it('shows a status while detecting and none once the still is ready', () => {
    const detecting = run([{ type: 'STILL_CHOSEN', stillId: 'still-1', fileName: 'cctv.jpg' }]);
    expect(detecting.still.phase).toBe('detecting');
    expect(detecting.status).toBe(STATUS_DETECTING);
    const ready = withStill(1);
    expect(ready.still.phase).toBe('ready');
    expect(ready.faces.map((face) => face.analysis.status)).toEqual(['queued']);
  });

  it('selects the only face when exactly one is found', () => {
    const state = withStill(1);
    expect(state.selectedKey).toBe('d0');
  });

  it('selects nothing when several faces are found: the investigator chooses', () => {
    const state = withStill(3);
    expect(state.selectedKey).toBeNull();
    expect(state.faces).toHaveLength(3);
  });

  it('says so when no face is found, and a drawn box clears the problem and is selected', () => {
    const none = withStill(0);
    expect(none.problem).toBe(NO_FACE_FOUND);
    const drawn = run([{ type: 'DRAWING_TOGGLED' }, { type: 'MANUAL_BOX_DRAWN', box: { x: 1, y: 2, width: 30, height: 40 } }], none);
    expect(drawn.problem).toBeNull();
    expect(drawn.isDrawing).toBe(false);
    expect(drawn.selectedKey).toBe('m1');
    expect(drawn.faces[0]).toMatchObject({ key: 'm1', score: null, analysis: { status: 'queued' } });
  });

  it('keeps the dropzone state on an unreadable file and shows why', () => {
    const state = run([
      { type: 'STILL_CHOSEN', stillId: 'still-1', fileName: 'bad.jpg' },
      { type: 'DETECT_FAILED', stillId: 'still-1', message: 'The image is damaged.' },
    ]);
    expect(state.still.phase).toBe('failed');
    expect(state.problem).toBe('The image is damaged.');
    expect(state.status).toBeNull();
  });

  it('drops a detection for a still that was replaced, and hands back its URL and worker image', () => {
    const state = run([
      { type: 'STILL_CHOSEN', stillId: 'old', fileName: 'old.jpg' },
      { type: 'STILL_CHOSEN', stillId: 'new', fileName: 'new.jpg' },
      { type: 'DETECTED', stillId: 'old', file: new File(['x'], 'old.jpg'), url: 'blob:old', sha256: 'a'.repeat(64), detect: detectResult('image-old', 2) },
    ]);
    expect(state.still).toMatchObject({ phase: 'detecting', id: 'new' });
    expect(state.faces).toEqual([]);
    expect(state.disposals).toEqual([
      { kind: 'object-url', url: 'blob:old' },
      { kind: 'worker-image', imageId: 'image-old' },
    ]);
  });

  it('ignores a late failure for a replaced still', () => {
    const state = run([{ type: 'DETECT_FAILED', stillId: 'old', message: 'damaged' }], withStill(1, 'new'));
    expect(state.still.phase).toBe('ready');
    expect(state.problem).toBeNull();
  });
});

describe('measuring the faces', () => {
  it('measures every detected face, one at a time, in the order found', () => {
    let state = withStill(3);
    const order: string[] = [];
    for (let job = nextAnalysisJob(state); job; job = nextAnalysisJob(state)) {
      order.push(job.face.key);
      state = workbenchReducer(state, { type: 'ANALYSIS_STARTED', stillId: 'still-1', faceKey: job.face.key });
      expect(nextAnalysisJob(state)).toBeNull();
      expect(state.status).toBe(`Measuring face ${order.length} of 3…`);
      state = workbenchReducer(state, { type: 'ANALYSIS_DONE', stillId: 'still-1', faceKey: job.face.key, result: analyseResult(), cropUrl: `blob:${job.face.key}` });
    }
    expect(order).toEqual(['d0', 'd1', 'd2']);
    expect(state.faces.every((face) => face.analysis.status === 'done')).toBe(true);
    expect(state.status).toBeNull();
    expect(state.selectedKey).toBeNull();
  });

  it('measures the face the investigator clicked before the others still waiting', () => {
    let state = withStill(3);
    state = run([{ type: 'ANALYSIS_STARTED', stillId: 'still-1', faceKey: 'd0' }, { type: 'FACE_SELECTED', key: 'd2' }], state);
    state = run([{ type: 'ANALYSIS_DONE', stillId: 'still-1', faceKey: 'd0', result: analyseResult(), cropUrl: 'blob:d0' }], state);
    expect(nextAnalysisJob(state)?.face.key).toBe('d2');
  });

  it('records a failed measurement on that face only', () => {
    const state = run(
      [
        { type: 'ANALYSIS_STARTED', stillId: 'still-1', faceKey: 'd1' },
        { type: 'ANALYSIS_FAILED', stillId: 'still-1', faceKey: 'd1', message: 'The analysis stopped unexpectedly.' },
      ],
      withStill(2),
    );
    expect(state.faces.map((face) => face.analysis.status)).toEqual(['queued', 'error']);
    expect(nextAnalysisJob(state)?.face.key).toBe('d0');
  });

  it('hands back the crop URL of a measurement that arrives for a replaced still or twice', () => {
    const replaced = run([{ type: 'ANALYSIS_DONE', stillId: 'old', faceKey: 'd0', result: analyseResult(), cropUrl: 'blob:late' }], withStill(1, 'new'));
    expect(replaced.faces[0]!.analysis.status).toBe('queued');
    expect(replaced.disposals).toEqual([{ kind: 'object-url', url: 'blob:late' }]);

    const twice = run([{ type: 'ANALYSIS_DONE', stillId: 'still-1', faceKey: 'd0', result: analyseResult(), cropUrl: 'blob:again' }], analyseAll(withStill(1)));
    expect(twice.faces[0]!.analysis).toMatchObject({ status: 'done', cropUrl: 'blob:crop-d0' });
    expect(twice.disposals).toEqual([{ kind: 'object-url', url: 'blob:again' }]);
  });
});

describe('the selected face is the one the investigator chose', () => {
  it('clicking face 2 selects face 2, and face 1 finishing later does not move the selection', () => {
    let state = withStill(2);
    state = run([{ type: 'ANALYSIS_STARTED', stillId: 'still-1', faceKey: 'd0' }, { type: 'FACE_SELECTED', key: 'd1' }], state);
    expect(state.selectedKey).toBe('d1');
    state = run([{ type: 'ANALYSIS_DONE', stillId: 'still-1', faceKey: 'd0', result: analyseResult(), cropUrl: 'blob:d0' }], state);
    expect(state.selectedKey).toBe('d1');
    state = analyseAll(state);
    expect(state.selectedKey).toBe('d1');
    expect(submissionFor(state, KEY_1)?.face.key).toBe('d1');
  });

  it('ignores a selection of a face that does not exist', () => {
    const state = run([{ type: 'FACE_SELECTED', key: 'd9' }], withStill(2));
    expect(state.selectedKey).toBeNull();
  });

  it('steps between faces with the keyboard, from no selection to the first or the last', () => {
    const state = withStill(3);
    expect(run([{ type: 'FACE_STEPPED', delta: 1 }], state).selectedKey).toBe('d0');
    expect(run([{ type: 'FACE_STEPPED', delta: -1 }], state).selectedKey).toBe('d2');
    expect(run([{ type: 'FACE_STEPPED', delta: 1 }, { type: 'FACE_STEPPED', delta: 1 }, { type: 'FACE_STEPPED', delta: 1 }, { type: 'FACE_STEPPED', delta: 1 }], state).selectedKey).toBe('d0');
  });

  it('cannot search until a face is chosen and measured', () => {
    let state = withStill(2);
    expect(canSearch(state)).toBe(false);
    state = analyseAll(state);
    expect(canSearch(state)).toBe(false);
    state = run([{ type: 'FACE_SELECTED', key: 'd0' }], state);
    expect(canSearch(state)).toBe(true);
    expect(canSearch(run([{ type: 'WATCHLIST_TOGGLED', watchlistId: 'list-a', isChosen: false }, { type: 'WATCHLIST_TOGGLED', watchlistId: 'list-b', isChosen: false }], state))).toBe(false);
  });

  it('toggles drawing only with a still, and Escape cancels it', () => {
    expect(run([{ type: 'DRAWING_TOGGLED' }]).isDrawing).toBe(false);
    const drawing = run([{ type: 'DRAWING_TOGGLED' }], withStill(1));
    expect(drawing.isDrawing).toBe(true);
    expect(run([{ type: 'DRAWING_CANCELLED' }], drawing).isDrawing).toBe(false);
  });

  it('numbers drawn boxes so their keys never collide', () => {
    const box = { x: 1, y: 2, width: 30, height: 40 };
    const state = run([{ type: 'MANUAL_BOX_DRAWN', box }, { type: 'MANUAL_BOX_DRAWN', box }], withStill(1));
    expect(state.faces.map((face) => face.key)).toEqual(['d0', 'm1', 'm2']);
    expect(state.selectedKey).toBe('m2');
  });
});

describe('searching', () => {
  const ready = () => run([{ type: 'FACE_SELECTED', key: 'd1' }], analyseAll(withStill(2)));

  it('goes recording → searching with a status for each', () => {
    let state = run([{ type: 'SUBMIT_STARTED', stillId: 'still-1', faceKey: 'd1', idempotencyKey: KEY_1 }], ready());
    expect(state.submit).toEqual({ phase: 'recording', faceKey: 'd1' });
    expect(state.status).toBe(STATUS_RECORDING);
    expect(canSearch(state)).toBe(false);
    state = run([{ type: 'PROBE_RECORDED', stillId: 'still-1' }], state);
    expect(state.submit).toEqual({ phase: 'searching', faceKey: 'd1' });
    expect(state.status).toBe(STATUS_SEARCHING);
  });

  it('sends the crop blob and the selected face, and reuses the idempotency key on a retry after a failure', () => {
    let state = ready();
    const first = submissionFor(state, KEY_1)!;
    expect(first.face.key).toBe('d1');
    expect(first.crop).toBeInstanceOf(Blob);
    expect(first.idempotencyKey).toBe(KEY_1);
    state = run(
      [
        { type: 'SUBMIT_STARTED', stillId: 'still-1', faceKey: 'd1', idempotencyKey: first.idempotencyKey },
        { type: 'PROBE_RECORDED', stillId: 'still-1' },
        { type: 'SUBMIT_FAILED', stillId: 'still-1', error: { code: 'UNAVAILABLE', message: 'The index is down.' } },
      ],
      state,
    );
    expect(state.submit.phase).toBe('error');
    expect(state.actionError?.message).toBe('The index is down.');
    expect(canSearch(state)).toBe(true);
    // A fresh key is offered for the retry, but the face keeps the one it was first submitted with.
    const retry = submissionFor(state, KEY_2)!;
    expect(retry.idempotencyKey).toBe(KEY_1);
    state = run([{ type: 'SUBMIT_STARTED', stillId: 'still-1', faceKey: 'd1', idempotencyKey: retry.idempotencyKey }], state);
    expect(selectedFaceOf(state)?.idempotencyKey).toBe(KEY_1);
    expect(state.actionError).toBeNull();
  });

  it('gives a different face of the same still its own key', () => {
    let state = run([{ type: 'SUBMIT_STARTED', stillId: 'still-1', faceKey: 'd1', idempotencyKey: KEY_1 }, { type: 'SUBMIT_FAILED', stillId: 'still-1', error: { code: 'INTERNAL', message: 'x' } }], ready());
    state = run([{ type: 'FACE_SELECTED', key: 'd0' }], state);
    expect(submissionFor(state, KEY_2)?.idempotencyKey).toBe(KEY_2);
  });

  it('clears an error from another face when the selection changes', () => {
    let state = run([{ type: 'SUBMIT_STARTED', stillId: 'still-1', faceKey: 'd1', idempotencyKey: KEY_1 }, { type: 'SUBMIT_FAILED', stillId: 'still-1', error: { code: 'INTERNAL', message: 'x' } }], ready());
    state = run([{ type: 'FACE_SELECTED', key: 'd0' }], state);
    expect(state.actionError).toBeNull();
    expect(state.submit.phase).toBe('idle');
  });

  it('does not change the face or start a second submission while one is in flight', () => {
    let state = run([{ type: 'SUBMIT_STARTED', stillId: 'still-1', faceKey: 'd1', idempotencyKey: KEY_1 }], ready());
    state = run([{ type: 'FACE_SELECTED', key: 'd0' }, { type: 'FACE_STEPPED', delta: 1 }, { type: 'SUBMIT_STARTED', stillId: 'still-1', faceKey: 'd1', idempotencyKey: KEY_2 }], state);
    expect(state.selectedKey).toBe('d1');
    expect(selectedFaceOf(state)?.idempotencyKey).toBe(KEY_1);
    expect(submissionFor(state, KEY_2)).toBeNull();
  });

  it('refuses to start a submission for a face that is not the selected, measured one', () => {
    const unmeasured = run([{ type: 'FACE_SELECTED', key: 'd1' }], withStill(2));
    expect(run([{ type: 'SUBMIT_STARTED', stillId: 'still-1', faceKey: 'd1', idempotencyKey: KEY_1 }], unmeasured).submit.phase).toBe('idle');
    expect(run([{ type: 'SUBMIT_STARTED', stillId: 'still-1', faceKey: 'd0', idempotencyKey: KEY_1 }], ready()).submit.phase).toBe('idle');
  });
});

describe('"Another still"', () => {
  it('clears the faces, the selection, the errors and the form, and hands back every URL and the worker image', () => {
    let state = run([{ type: 'FACE_SELECTED', key: 'd1' }, { type: 'MODE_CHANGED', mode: 'threshold' }, { type: 'WATCHLIST_TOGGLED', watchlistId: 'list-a', isChosen: false }], analyseAll(withStill(2)));
    state = run([{ type: 'SUBMIT_STARTED', stillId: 'still-1', faceKey: 'd1', idempotencyKey: KEY_1 }, { type: 'SUBMIT_FAILED', stillId: 'still-1', error: { code: 'VALIDATION', message: 'Say where the still came from.' } }], state);
    const reset = workbenchReducer(state, { type: 'RESET_STILL' });
    expect(reset.still).toEqual({ phase: 'none' });
    expect(reset.faces).toEqual([]);
    expect(reset.selectedKey).toBeNull();
    expect(reset.actionError).toBeNull();
    expect(reset.submit).toEqual({ phase: 'idle' });
    expect(reset.mode).toBe('rank');
    expect(reset.chosenWatchlistIds).toEqual(LISTS);
    expect(reset.disposals).toEqual(
      expect.arrayContaining([
        { kind: 'object-url', url: 'blob:still-1' },
        { kind: 'worker-image', imageId: 'image-1' },
        { kind: 'object-url', url: 'blob:crop-d0' },
        { kind: 'object-url', url: 'blob:crop-d1' },
      ]),
    );
    expect(reset.disposals).toHaveLength(4);
  });

  it('hands back the old still when a new file replaces it directly, and the new still starts afresh', () => {
    const state = run([{ type: 'STILL_CHOSEN', stillId: 'still-2', fileName: 'next.jpg' }], analyseAll(withStill(1)));
    expect(state.disposals).toEqual([
      { kind: 'object-url', url: 'blob:still-1' },
      { kind: 'worker-image', imageId: 'image-1' },
      { kind: 'object-url', url: 'blob:crop-d0' },
    ]);
    expect(state.still).toMatchObject({ phase: 'detecting', id: 'still-2' });
  });

  it('ignores a submission result for a still that was put away', () => {
    const state = run(
      [{ type: 'SUBMIT_STARTED', stillId: 'still-1', faceKey: 'd0', idempotencyKey: KEY_1 }, { type: 'RESET_STILL' }, { type: 'SUBMIT_FAILED', stillId: 'still-1', error: { code: 'INTERNAL', message: 'x' } }],
      analyseAll(withStill(1)),
    );
    expect(state.actionError).toBeNull();
    expect(state.submit.phase).toBe('idle');
  });
});

describe('disposal bookkeeping', () => {
  it('forgets exactly what the component reports as disposed', () => {
    const reset = workbenchReducer(analyseAll(withStill(1)), { type: 'RESET_STILL' });
    const first = reset.disposals.slice(0, 2);
    const after = workbenchReducer(reset, { type: 'DISPOSED', disposals: first });
    expect(after.disposals).toEqual(reset.disposals.slice(2));
  });

  it('lists everything still held for the unmount clean-up', () => {
    const state = analyseAll(withStill(2));
    expect(everythingHeld(state)).toEqual([
      { kind: 'object-url', url: 'blob:still-1' },
      { kind: 'worker-image', imageId: 'image-1' },
      { kind: 'object-url', url: 'blob:crop-d0' },
      { kind: 'object-url', url: 'blob:crop-d1' },
    ]);
  });
});

describe('gathering faces of one person in the tray', () => {
  const FACE_A = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
  const FACE_B = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';
  const trayFace = (probeFaceId: string, stillId: string, faceKey: string, overrides: Partial<TrayFace> = {}): TrayFace => ({
    probeFaceId,
    stillId,
    faceKey,
    label: `Face of ${stillId}`,
    qualityVerdict: 'good',
    needsOverride: false,
    modelId: 'model@1',
    ...overrides,
  });
  /** One still, its one face measured and selected. */
  const measured = (stillId = 'still-1', from?: WorkbenchState) => {
    const chosen = run(
      [
        { type: 'STILL_CHOSEN', stillId, fileName: `${stillId}.jpg` },
        { type: 'DETECTED', stillId, file: new File(['x'], `${stillId}.jpg`), url: `blob:${stillId}`, sha256: 'a'.repeat(64), detect: detectResult(`image-${stillId}`, 1) },
      ],
      from,
    );
    return analyseAll(chosen, stillId);
  };
  const added = (state: WorkbenchState, probeFaceId: string, stillId: string, overrides: Partial<TrayFace> = {}) =>
    run([{ type: 'TRAY_ADD_STARTED', stillId, faceKey: 'd0', idempotencyKey: KEY_1 }, { type: 'TRAY_FACE_RECORDED', face: trayFace(probeFaceId, stillId, 'd0', overrides) }], state);

  it('records the selected face with the key a later Search of it reuses, and says so while it does', () => {
    const state = measured();
    expect(canAddToTray(state)).toBe(true);
    const adding = run([{ type: 'TRAY_ADD_STARTED', stillId: 'still-1', faceKey: 'd0', idempotencyKey: KEY_1 }], state);
    expect(adding.submit).toEqual({ phase: 'adding', faceKey: 'd0' });
    expect(adding.status).toBe(STATUS_ADDING);
    expect(selectedFaceOf(adding)?.idempotencyKey).toBe(KEY_1);
    // Nothing else can start meanwhile.
    expect(canSearch(adding)).toBe(false);
    expect(run([{ type: 'FACE_SELECTED', key: 'd0' }, { type: 'TRAY_ADD_STARTED', stillId: 'still-1', faceKey: 'd0', idempotencyKey: KEY_2 }], adding)).toBe(adding);
    const done = run([{ type: 'TRAY_FACE_RECORDED', face: trayFace(FACE_A, 'still-1', 'd0') }], adding);
    expect(done.tray.map((face) => face.probeFaceId)).toEqual([FACE_A]);
    expect(done.submit.phase).toBe('idle');
    expect(trayFaceOfSelected(done)?.probeFaceId).toBe(FACE_A);
    // The same face cannot be added twice; Search of it alone still works, with the same key.
    expect(canAddToTray(done)).toBe(false);
    expect(submissionFor(done, KEY_2)?.idempotencyKey).toBe(KEY_1);
  });

  it('keeps the tray when the still changes, and gathers faces from several stills', () => {
    const first = added(measured('still-1'), FACE_A, 'still-1');
    const second = measured('still-2', run([{ type: 'RESET_STILL' }], first));
    expect(second.tray.map((face) => face.probeFaceId)).toEqual([FACE_A]);
    expect(trayFaceOfSelected(second)).toBeNull();
    expect(canSearchTray(second)).toBe(false);
    const both = added(second, FACE_B, 'still-2', { qualityVerdict: 'poor', needsOverride: true });
    expect(both.tray.map((face) => face.probeFaceId)).toEqual([FACE_A, FACE_B]);
    expect(canSearchTray(both)).toBe(true);
    // The first face added is the primary face of the search.
    expect(trayProbe(both)).toEqual({ probeFaceId: FACE_A, extraProbeFaceIds: [FACE_B] });
    // Judged by its best face, as the server judges a set: one good face needs no reason.
    expect(trayNeedsOverride(both)).toBe(false);
    // A new still's object URLs are handed back, never the tray's (served crops, not object URLs).
    expect(run([{ type: 'RESET_STILL' }], both).tray).toHaveLength(2);
  });

  it('does not list a face twice when a retried add returns the face already recorded', () => {
    const once = added(measured(), FACE_A, 'still-1');
    const again = run([{ type: 'TRAY_FACE_RECORDED', face: trayFace(FACE_A, 'still-1', 'd0') }], once);
    expect(again).toBe(once);
    const retried = run([{ type: 'RESET_STILL' }], once);
    expect(added(measured('still-1', retried), FACE_A, 'still-1').tray).toHaveLength(1);
  });

  it('removes a face, and searches the tray as one person with an error kept until the tray changes', () => {
    let state = added(measured('still-2', added(measured('still-1'), FACE_A, 'still-1')), FACE_B, 'still-2');
    state = run([{ type: 'TRAY_SEARCH_STARTED' }], state);
    expect(state.submit.phase).toBe('searching-tray');
    expect(state.status).toBe('Searching the watch-lists with 2 faces of one person…');
    expect(run([{ type: 'TRAY_FACE_REMOVED', probeFaceId: FACE_A }], state)).toBe(state);
    state = run([{ type: 'TRAY_FAILED', error: { code: 'VALIDATION', message: 'Give a reason.' } }], state);
    expect(state.submit.phase).toBe('error');
    expect(state.actionError?.message).toBe('Give a reason.');
    state = run([{ type: 'TRAY_FACE_REMOVED', probeFaceId: FACE_A }], state);
    expect(state.tray.map((face) => face.probeFaceId)).toEqual([FACE_B]);
    expect(state.actionError).toBeNull();
    expect(canSearchTray(state)).toBe(false);
    expect(trayProbe(state)).toEqual({ probeFaceId: FACE_B, extraProbeFaceIds: [] });
  });

  it('needs a reason only when every face is below the policy, and cannot search with no watch-list', () => {
    const poor = { qualityVerdict: 'poor' as const, needsOverride: true };
    const state = added(measured('still-2', added(measured('still-1'), FACE_A, 'still-1', poor)), FACE_B, 'still-2', poor);
    expect(trayNeedsOverride(state)).toBe(true);
    const noList = run([{ type: 'WATCHLIST_TOGGLED', watchlistId: 'list-a', isChosen: false }, { type: 'WATCHLIST_TOGGLED', watchlistId: 'list-b', isChosen: false }], state);
    expect(canSearchTray(noList)).toBe(false);
    expect(run([{ type: 'TRAY_SEARCH_STARTED' }], noList).submit.phase).toBe('idle');
  });

  it('holds at most ten faces', () => {
    let state = initialWorkbenchState(LISTS);
    for (let index = 0; index < MAX_TRAY_FACES + 1; index += 1) {
      const stillId = `still-${index}`;
      state = added(measured(stillId, run([{ type: 'RESET_STILL' }], state)), `${index}`.padStart(8, '0') + '-0000-4000-8000-000000000000', stillId);
    }
    expect(state.tray).toHaveLength(MAX_TRAY_FACES);
    expect(canAddToTray(measured('still-x', run([{ type: 'RESET_STILL' }], state)))).toBe(false);
  });
});

