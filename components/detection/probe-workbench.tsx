'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { recordProbeFaceForSearch } from '@/lib/actions/probes';
import { runSearch } from '@/lib/actions/searches';
import { createVisionClient, type VisionClient } from '@/lib/client/vision-client';
import { buildProbeFaceFormData, toProbeFaceInput } from '@/lib/shared/schemas/probe';
import { VisionError } from '@/lib/vision/vision-error';
import { FormError } from '@/components/ui/form-feedback';
import { FaceOverlay } from './face-overlay';
import {
  canAddToTray,
  canSearch,
  canSearchTray,
  everythingHeld,
  initialWorkbenchState,
  isSubmitting,
  nextAnalysisJob,
  recordingFor,
  selectedFaceOf,
  submissionFor,
  trayFaceOfSelected,
  trayNeedsOverride,
  trayProbe,
  workbenchReducer,
  type Disposal,
  type Submission,
  type WorkbenchState,
} from './probe-workbench-state';
import { QualityBadge } from './quality-badge';
import { SearchModeFields } from './search-mode-fields';
import { WatchlistChoice } from './watchlist-choice';

export type SearchableWatchlist = { id: string; name: string; faces: number; isReviewOverdue: boolean };

const VISION_MESSAGES: Partial<Record<string, string>> = {
  UNSUPPORTED_FORMAT: 'This file is not an image the workstation can read (JPEG, PNG, WebP, GIF, BMP, TIFF, AVIF).',
  DECODE_FAILED: 'The image is damaged or truncated and could not be read.',
  ANIMATED_IMAGE: 'This is an animation. Export the frame you need as a still image.',
  EMPTY_IMAGE: 'The image has no pixels.',
  IMAGE_TOO_LARGE: 'The image is too large to analyse.',
  MODEL_MISSING: 'The face models could not be loaded. Ask an administrator to check /api/health.',
  MODEL_HASH_MISMATCH: 'A face model file does not match its published checksum and was refused.',
  WORKER_FAILED: 'The analysis stopped unexpectedly. Try again; the analyser restarts itself.',
};

// A server action that throws (the connection dropped, the server restarted) rather than returning an
// error. Pressing Search again is safe: the same submission key returns the face already recorded.
const UNREACHABLE = {
  code: 'UNAVAILABLE',
  message: 'The server could not be reached. Check the connection and press Search again; the face will not be recorded twice.',
} as const;

function visionMessage(error: unknown): string {
  if (error instanceof VisionError) return VISION_MESSAGES[error.code] ?? error.message;
  return (error as Error)?.message ?? 'The image could not be analysed.';
}

async function sha256Hex(file: Blob): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** User Timing for `npm run bench -- page` (drop, hash, boxes on screen); cheap, and never fails the bench's caller. */
function markStage(name: string, since?: string) {
  try {
    if (since) performance.measure(name, since);
    else performance.mark(name);
  } catch {
    // the start mark was cleared: nothing to measure
  }
}

function letGo(disposals: readonly Disposal[], vision: VisionClient | null) {
  for (const disposal of disposals) {
    if (disposal.kind === 'object-url') URL.revokeObjectURL(disposal.url);
    else void vision?.release(disposal.imageId).catch(() => {});
  }
}

/**
 * The investigator's bench for one still: the browser finds and measures every face (nothing but the
 * chosen face's embedding and crop ever leaves the machine), the investigator picks one — or draws a
 * box where the detector missed — records where the still came from, and searches.
 */
export function ProbeWorkbench({ caseId, watchlists, defaultListSize }: { caseId: string; watchlists: SearchableWatchlist[]; defaultListSize: number }) {
  const router = useRouter();
  const vision = useRef<VisionClient | null>(null);
  // The backend belongs to the worker's lifetime and the drag highlight to the pointer, not to the still.
  const [backend, setBackend] = useState<string | null>(null);
  const [isDragOver, setIsDragOver] = useState(false);
  const [state, dispatch] = useReducer(workbenchReducer, watchlists, (lists) => initialWorkbenchState(lists.map((list) => list.id)));
  const latest = useRef<WorkbenchState>(state);
  const isMounted = useRef(false);

  useEffect(() => {
    latest.current = state;
  });

  useEffect(() => {
    isMounted.current = true;
    const client = createVisionClient({ onBackendChanged: (next, reason) => setBackend(`${next} (${reason})`) });
    vision.current = client;
    client.ready().then((init) => setBackend(`${init.backend}${init.backend === 'wasm' ? `, ${init.numThreads} ${init.numThreads === 1 ? 'thread' : 'threads'}` : ''}`)).catch(() => {});
    return () => {
      isMounted.current = false;
      letGo(everythingHeld(latest.current), client);
      client.terminate();
    };
  }, []);

  // What the reducer let go of (a replaced still, its crops, a late result) is revoked and released here.
  useEffect(() => {
    if (state.disposals.length === 0) return;
    letGo(state.disposals, vision.current);
    dispatch({ type: 'DISPOSED', disposals: state.disposals });
  }, [state.disposals]);

  // Faces are measured one at a time, so every card gets its quality; the selected face goes first.
  const job = useMemo(() => nextAnalysisJob(state), [state]);
  const startedJob = useRef<string | null>(null);
  useEffect(() => {
    if (!job || startedJob.current === job.id || !vision.current) return;
    startedJob.current = job.id;
    const { stillId, imageId, face } = job;
    dispatch({ type: 'ANALYSIS_STARTED', stillId, faceKey: face.key });
    vision.current.analyse({ imageId, box: face.box, score: face.score }, { cropFormat: 'png' }).then(
      (result) => {
        if (!isMounted.current) return;
        const cropUrl = result.crop.format === 'rgba' ? null : URL.createObjectURL(result.crop.blob);
        dispatch({ type: 'ANALYSIS_DONE', stillId, faceKey: face.key, result, cropUrl });
      },
      (error: unknown) => dispatch({ type: 'ANALYSIS_FAILED', stillId, faceKey: face.key, message: visionMessage(error) }),
    );
  }, [job]);

  async function openFile(file: File) {
    const client = vision.current;
    if (!client) return;
    const stillId = crypto.randomUUID();
    markStage('probe:drop');
    dispatch({ type: 'STILL_CHOSEN', stillId, fileName: file.name });
    try {
      const [detect, sha256] = await Promise.all([client.detect(file), sha256Hex(file).finally(() => markStage('probe:hash', 'probe:drop'))]);
      if (!isMounted.current) return;
      markStage('probe:detected');
      dispatch({ type: 'DETECTED', stillId, file, url: URL.createObjectURL(file), sha256, detect });
    } catch (error) {
      dispatch({ type: 'DETECT_FAILED', stillId, message: visionMessage(error) });
    }
  }

  useEffect(() => {
    if (state.still.phase === 'ready') requestAnimationFrame(() => markStage('probe:render-boxes', 'probe:detected'));
  }, [state.still]);

  // Keyboard: ← → (or j k) move between faces, d toggles drawing, Escape cancels drawing.
  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if ((event.target as HTMLElement).closest('input, textarea, select')) return;
      if (event.key === 'Escape') dispatch({ type: 'DRAWING_CANCELLED' });
      if (event.key === 'd') dispatch({ type: 'DRAWING_TOGGLED' });
      if (event.key === 'ArrowRight' || event.key === 'j') dispatch({ type: 'FACE_STEPPED', delta: 1 });
      if (event.key === 'ArrowLeft' || event.key === 'k') dispatch({ type: 'FACE_STEPPED', delta: -1 });
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  // Records the selected face with where its still came from; the submission's key makes a retry (or a
  // Search after an add) return the face already recorded.
  function recordFace({ still, result, crop, idempotencyKey }: Submission, data: FormData) {
    return recordProbeFaceForSearch(
      buildProbeFaceFormData(
        {
          caseId,
          idempotencyKey,
          still: {
            imageSha256: still.sha256,
            width: still.detect.info.originalWidth,
            height: still.detect.info.originalHeight,
            source: String(data.get('source') ?? ''),
            cameraLocation: String(data.get('cameraLocation') ?? '') || undefined,
            capturedAt: data.get('capturedAt') ? new Date(String(data.get('capturedAt'))).toISOString() : undefined,
          },
          face: toProbeFaceInput(result),
        },
        crop,
      ),
    );
  }

  // The search options of the form, the same for one face and for the tray.
  function searchOptions(data: FormData) {
    return {
      watchlistIds: state.chosenWatchlistIds,
      mode: state.mode,
      listSize: Number(data.get('listSize')) || undefined,
      threshold: state.mode === 'threshold' ? Number(data.get('threshold')) : undefined,
      qualityOverrideReason: String(data.get('qualityOverrideReason') ?? '') || undefined,
      isOverdueReviewAcknowledged: data.get('isOverdueReviewAcknowledged') === 'on',
    };
  }

  async function search(form: HTMLFormElement) {
    // The face searched is the selected one, read at the moment Search is pressed.
    const submission = submissionFor(state, crypto.randomUUID());
    if (!submission) return;
    const { stillId, face, idempotencyKey } = submission;
    const data = new FormData(form);
    dispatch({ type: 'SUBMIT_STARTED', stillId, faceKey: face.key, idempotencyKey });
    try {
      const recorded = await recordFace(submission, data);
      if (!recorded.ok) return dispatch({ type: 'SUBMIT_FAILED', stillId, error: recorded.error });
      dispatch({ type: 'PROBE_RECORDED', stillId });
      const searched = await runSearch({ probeFaceId: recorded.data.probeFaceId, ...searchOptions(data) });
      if (!searched.ok) return dispatch({ type: 'SUBMIT_FAILED', stillId, error: searched.error });
      router.push(`/cases/${caseId}/searches/${searched.data.searchId}`);
    } catch {
      dispatch({ type: 'SUBMIT_FAILED', stillId, error: UNREACHABLE });
    }
  }

  // "Add to this person": the selected face is recorded now, so the tray holds probe face ids that
  // outlive the still (and its object URLs).
  async function addToTray(form: HTMLFormElement) {
    if (!canAddToTray(state)) return;
    const submission = recordingFor(state, crypto.randomUUID());
    if (!submission) return;
    const { stillId, still, face, result, idempotencyKey } = submission;
    dispatch({ type: 'TRAY_ADD_STARTED', stillId, faceKey: face.key, idempotencyKey });
    try {
      const recorded = await recordFace(submission, new FormData(form));
      if (!recorded.ok) return dispatch({ type: 'TRAY_FAILED', error: recorded.error });
      const number = state.faces.indexOf(face) + 1;
      dispatch({
        type: 'TRAY_FACE_RECORDED',
        face: {
          probeFaceId: recorded.data.probeFaceId,
          stillId,
          faceKey: face.key,
          label: `Face ${number} of ${still.file.name}`,
          qualityVerdict: recorded.data.qualityVerdict ?? result.quality.verdict,
          needsOverride: result.quality.needsOverride,
          modelId: result.modelId,
        },
      });
    } catch {
      dispatch({ type: 'TRAY_FAILED', error: UNREACHABLE });
    }
  }

  async function searchTray(form: HTMLFormElement) {
    const probe = trayProbe(state);
    if (!probe || !canSearchTray(state)) return;
    dispatch({ type: 'TRAY_SEARCH_STARTED' });
    try {
      const searched = await runSearch({ ...probe, ...searchOptions(new FormData(form)) });
      if (!searched.ok) return dispatch({ type: 'TRAY_FAILED', error: searched.error });
      router.push(`/cases/${caseId}/searches/${searched.data.searchId}`);
    } catch {
      dispatch({ type: 'TRAY_FAILED', error: UNREACHABLE });
    }
  }

  const { still, faces, selectedKey, hoveredKey, isDrawing } = state;
  const selected = selectedFaceOf(state);
  const selectedIndex = selected ? faces.indexOf(selected) : -1;
  const selectedResult = selected?.analysis.status === 'done' ? selected.analysis.result : null;
  const isBusySubmitting = isSubmitting(state);
  const { tray } = state;
  const hasStillFace = still.phase === 'ready' && selected !== null;
  const selectedInTray = trayFaceOfSelected(state);
  const thresholdModelId = selectedResult?.modelId ?? tray[0]?.modelId ?? null;

  return (
    <div>
      {still.phase !== 'ready' ? (
        <label
          className={`dropzone ${isDragOver ? 'active' : ''}`}
          onDragOver={(event) => {
            event.preventDefault();
            setIsDragOver(true);
          }}
          onDragLeave={() => setIsDragOver(false)}
          onDrop={(event) => {
            event.preventDefault();
            setIsDragOver(false);
            const file = event.dataTransfer.files[0];
            if (file) void openFile(file);
          }}
        >
          <strong>Drop a CCTV still here, or choose a file</strong>
          <span className="hint">The image is analysed in this browser and is not uploaded. Only the chosen face is sent.</span>
          <input
            type="file"
            accept="image/*"
            aria-label="Choose a still"
            onChange={(event) => {
              const file = event.currentTarget.files?.[0];
              // Cleared so that choosing the same file again (after a failure) still fires a change.
              event.currentTarget.value = '';
              if (file) void openFile(file);
            }}
          />
        </label>
      ) : null}
      <p className="muted" data-testid="vision-backend">
        Face analysis: {backend ?? 'starting…'}
      </p>
      {state.status ? (
        <div role="status" aria-live="polite">
          <p>{state.status}</p>
          {/* Model inference gives no intermediate progress: an indeterminate bar, not an invented percentage. */}
          <div className="progress indeterminate" aria-hidden="true">
            <div />
          </div>
        </div>
      ) : null}
      {state.problem ? (
        <p className="alert error" role="alert" data-testid="vision-problem">
          {state.problem}
        </p>
      ) : null}
      {still.phase === 'ready' ? (
        <div className="workbench">
          <div>
            <div className="row" style={{ marginBottom: '0.5rem' }}>
              <strong>{still.file.name}</strong>
              <span className="muted">
                {still.detect.info.originalWidth}×{still.detect.info.originalHeight}
                {still.detect.info.scale < 1 ? ` (analysed at ${Math.round(still.detect.info.scale * 100)} %)` : ''} ·{' '}
                {faces.length} face{faces.length === 1 ? '' : 's'} · {Math.round(still.detect.ms)} ms
              </span>
              <button className="button secondary" type="button" aria-pressed={isDrawing} onClick={() => dispatch({ type: 'DRAWING_TOGGLED' })}>
                {isDrawing ? 'Cancel drawing' : 'Draw a box'} <kbd>d</kbd>
              </button>
              <button className="button secondary" type="button" disabled={isBusySubmitting} onClick={() => dispatch({ type: 'RESET_STILL' })}>
                Another still
              </button>
            </div>
            <FaceOverlay
              src={still.url}
              workingWidth={still.detect.width}
              workingHeight={still.detect.height}
              faces={faces.map((face, index) => ({
                key: face.key,
                box: face.box,
                verdict: face.analysis.status === 'done' ? face.analysis.result.quality.verdict : undefined,
                label: `Face ${index + 1}${face.analysis.status === 'done' ? `, quality ${face.analysis.result.quality.verdict}` : ''}`,
              }))}
              selectedKey={selectedKey}
              hoveredKey={hoveredKey}
              onHover={(key) => dispatch({ type: 'FACE_HOVERED', key })}
              onSelect={(key) => dispatch({ type: 'FACE_SELECTED', key })}
              isDrawing={isDrawing}
              onDrawn={(box) => dispatch({ type: 'MANUAL_BOX_DRAWN', box })}
            />
            <p className="muted">
              <kbd>←</kbd> <kbd>→</kbd> move between faces · <kbd>d</kbd> draw a box · <kbd>Esc</kbd> cancel
            </p>
          </div>
          <div className="face-cards" data-testid="face-cards">
            {faces.length > 0 && !selected ? (
              <p className="alert" role="note" data-testid="face-prompt">
                <strong>Choose the face to search.</strong> {faces.length} faces were found: click a box or a card, or use <kbd>←</kbd> <kbd>→</kbd>.
              </p>
            ) : null}
            {faces.map((face, index) => (
              <button
                key={face.key}
                type="button"
                className={`face-card ${hoveredKey === face.key ? 'hovered' : ''}`}
                aria-pressed={face.key === selectedKey}
                onMouseEnter={() => dispatch({ type: 'FACE_HOVERED', key: face.key })}
                onMouseLeave={() => dispatch({ type: 'FACE_HOVERED', key: null })}
                onClick={() => dispatch({ type: 'FACE_SELECTED', key: face.key })}
              >
                {face.analysis.status === 'done' && face.analysis.cropUrl ? (
                  // eslint-disable-next-line @next/next/no-img-element -- local object URL
                  <img src={face.analysis.cropUrl} alt={`Aligned crop of face ${index + 1}`} />
                ) : (
                  <span className="face-thumb" />
                )}
                <span>
                  Face {index + 1} {face.score === null ? <span className="badge muted">drawn</span> : null}{' '}
                  {face.analysis.status === 'done' ? <QualityBadge quality={face.analysis.result.quality} /> : null}
                  <br />
                  <span className="muted">
                    {face.analysis.status === 'error'
                      ? face.analysis.message
                      : face.analysis.status === 'done'
                        ? `${Math.round(face.analysis.result.quality.metrics.interEyePx)} px between the eyes`
                        : face.analysis.status === 'running'
                          ? 'measuring…'
                          : face.score !== null
                            ? `detector ${Math.round(face.score * 100) / 100}`
                            : ''}
                  </span>
                </span>
              </button>
            ))}
          </div>
        </div>
      ) : null}

      {hasStillFace || tray.length > 0 ? (
        // Keyed by the still: "Another still" or a new file starts from an empty form, not the last one's.
        <form
          key={still.phase === 'none' ? 'no-still' : still.id}
          className="panel stack"
          style={{ marginTop: '1rem', maxWidth: 'none' }}
          onSubmit={(event) => {
            event.preventDefault();
            void search(event.currentTarget);
          }}
        >
          <h2 style={{ margin: 0 }}>{selected ? 'Search this face' : 'Search this person'}</h2>
          {selected ? (
            <p className="muted" data-testid="selected-face">
              Face {selectedIndex + 1}
              {selected.score === null ? ' (drawn)' : ''}
              {selected.analysis.status === 'queued' || selected.analysis.status === 'running' ? ' — measuring the face…' : ''}
            </p>
          ) : null}
          {selected?.analysis.status === 'error' ? (
            <p className="alert error" role="alert">
              {selected.analysis.message} Choose another face or draw the box again.
            </p>
          ) : null}
          {selectedResult?.quality.reasons.length ? (
            <ul className="muted" data-testid="quality-reasons">
              {selectedResult.quality.reasons.map((reason) => (
                <li key={reason.metric}>{reason.message}</li>
              ))}
            </ul>
          ) : null}
          <div className="grid-2">
            {hasStillFace ? (
              <>
                <label>
                  Source of the still
                  <input name="source" required defaultValue="CCTV" />
                </label>
                <label>
                  Camera or location
                  <input name="cameraLocation" />
                </label>
                <label>
                  Captured at
                  <input name="capturedAt" type="datetime-local" />
                </label>
              </>
            ) : null}
            <label>
              Candidates to list
              <input name="listSize" type="number" min={1} max={50} defaultValue={defaultListSize} />
            </label>
            <SearchModeFields mode={state.mode} onModeChange={(mode) => dispatch({ type: 'MODE_CHANGED', mode })} modelId={thresholdModelId} />
          </div>
          <WatchlistChoice watchlists={watchlists} chosenIds={state.chosenWatchlistIds} onToggle={(watchlistId, isChosen) => dispatch({ type: 'WATCHLIST_TOGGLED', watchlistId, isChosen })} />
          {selectedResult?.quality.needsOverride || (tray.length >= 2 && trayNeedsOverride(state)) ? (
            <label>
              Reason to search a face of this quality
              <span className="hint">The quality is below policy. Your reason is recorded in the audit log.</span>
              <textarea name="qualityOverrideReason" rows={2} required={Boolean(selectedResult?.quality.needsOverride)} minLength={10} />
            </label>
          ) : null}
          <FormError error={state.actionError} />
          {hasStillFace ? (
            <div className="row">
              <button className="button" type="submit" disabled={!canSearch(state)}>
                Search
              </button>
              {selectedInTray ? (
                <span className="muted" data-testid="selected-in-tray">
                  This face is one of this person’s faces.
                </span>
              ) : (
                <button className="button secondary" type="button" disabled={!canAddToTray(state)} onClick={(event) => void addToTray(event.currentTarget.form!)}>
                  Add this face to this person
                </button>
              )}
            </div>
          ) : null}
          {tray.length > 0 ? <ProbeTray state={state} onRemove={(probeFaceId) => dispatch({ type: 'TRAY_FACE_REMOVED', probeFaceId })} onSearch={(form) => void searchTray(form)} /> : null}
        </form>
      ) : null}
    </div>
  );
}

/**
 * "This person": the faces gathered from one or more stills, each with its quality, searched together
 * as one probe (each gallery person's best score over the faces counts).
 */
function ProbeTray({ state, onRemove, onSearch }: { state: WorkbenchState; onRemove: (probeFaceId: string) => void; onSearch: (form: HTMLFormElement) => void }) {
  const { tray } = state;
  return (
    <section className="stack" aria-labelledby="probe-tray-heading" data-testid="probe-tray">
      <h3 id="probe-tray-heading" style={{ margin: 0 }}>
        This person ({tray.length} {tray.length === 1 ? 'face' : 'faces'})
      </h3>
      <ul className="row" style={{ listStyle: 'none', padding: 0, flexWrap: 'wrap' }}>
        {tray.map((face) => (
          <li key={face.probeFaceId} className="face-card">
            {/* eslint-disable-next-line @next/next/no-img-element -- the recorded crop, served with its own access check */}
            <img src={`/api/crops/probe/${face.probeFaceId}`} alt={face.label} width={56} height={56} className="thumb" />
            <span>
              {face.label}{' '}
              <span className={`badge ${face.qualityVerdict === 'good' ? 'ok' : face.qualityVerdict === 'usable' ? 'warn' : 'danger'}`}>quality {face.qualityVerdict}</span>
              <br />
              <button className="button secondary" type="button" disabled={isSubmitting(state)} aria-label={`Remove ${face.label} from this person`} onClick={() => onRemove(face.probeFaceId)}>
                Remove
              </button>
            </span>
          </li>
        ))}
      </ul>
      {tray.length < 2 ? <p className="hint">Add a face from another still (or another face of this one) to search them together as one person.</p> : null}
      <button className="button" type="button" disabled={!canSearchTray(state)} onClick={(event) => onSearch(event.currentTarget.form!)}>
        Search {tray.length} {tray.length === 1 ? 'face' : 'faces'} as one person
      </button>
    </section>
  );
}
