'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useReducer, useRef, useState } from 'react';
import { recordProbeFaceForSearch } from '@/lib/actions/probes';
import { runSearch } from '@/lib/actions/searches';
import { ClipError, openClip, sha256OfFile, type OpenedClip } from '@/lib/client/clip-sampler';
import { createVisionClient, type VisionClient } from '@/lib/client/vision-client';
import { formatClipTime } from '@/lib/shared/clip-frame-label';
import { buildProbeFaceFormData, toProbeFaceInput } from '@/lib/shared/schemas/probe';
import { VisionError } from '@/lib/vision/vision-error';
import { FormError } from '@/components/ui/form-feedback';
import {
  canSearch,
  clipPanelReducer,
  describeTrack,
  everythingHeld,
  facesNeedingKeys,
  initialClipPanelState,
  isSubmitting,
  MAX_CHOSEN_FRAMES,
  selectedTrackOf,
  statusOf,
  submissionOf,
  type ClipPanelState,
} from './clip-panel-state';
import type { SearchableWatchlist } from './probe-workbench';
import { QualityBadge } from './quality-badge';
import { SearchModeFields } from './search-mode-fields';
import { WatchlistChoice } from './watchlist-choice';

const UNREACHABLE = {
  code: 'UNAVAILABLE',
  message: 'The server could not be reached. Check the connection and press "Search this track" again; no frame will be recorded twice.',
} as const;

function problemOf(error: unknown): string {
  if (error instanceof ClipError || error instanceof VisionError) return error.message;
  return (error as Error)?.message ?? 'The clip could not be analysed.';
}

/**
 * A short CCTV clip, analysed in this browser: frames are sampled, every face is measured, the faces are
 * linked into one track per person, and the investigator searches one track as a multi-frame probe. Only
 * the chosen frames' crops and embeddings leave the machine, with the clip's SHA-256 and each frame's time.
 */
export function ClipPanel({ caseId, watchlists, defaultListSize }: { caseId: string; watchlists: SearchableWatchlist[]; defaultListSize: number }) {
  const router = useRouter();
  const vision = useRef<VisionClient | null>(null);
  const sampling = useRef<AbortController | null>(null);
  const [isDragOver, setIsDragOver] = useState(false);
  const [state, dispatch] = useReducer(clipPanelReducer, watchlists, (lists) => initialClipPanelState(lists.map((list) => list.id)));
  const latest = useRef<ClipPanelState>(state);

  useEffect(() => {
    latest.current = state;
  });

  // The clip panel has its own worker: a clip being sampled never queues behind (or ahead of) a still.
  useEffect(() => {
    const client = createVisionClient();
    vision.current = client;
    return () => {
      sampling.current?.abort();
      for (const url of everythingHeld(latest.current)) URL.revokeObjectURL(url);
      client.terminate();
    };
  }, []);

  useEffect(() => {
    if (state.disposals.length === 0) return;
    for (const url of state.disposals) URL.revokeObjectURL(url);
    dispatch({ type: 'DISPOSED', urls: state.disposals });
  }, [state.disposals]);

  async function openFile(file: File) {
    const client = vision.current;
    if (!client || isSubmitting(latest.current)) return;
    sampling.current?.abort();
    const controller = new AbortController();
    sampling.current = controller;
    const clipId = crypto.randomUUID();
    const startedAt = performance.now();
    dispatch({ type: 'CLIP_CHOSEN', clipId, fileName: file.name });
    let clip: OpenedClip | null = null;
    try {
      const hashed = sha256OfFile(file).then((sha256) => dispatch({ type: 'CLIP_HASHED', clipId, sha256 }));
      const ready = client.ready();
      ready.catch(() => undefined);
      clip = await openClip(file, { signal: controller.signal });
      await ready;
      dispatch({ type: 'CLIP_OPENED', clipId, durationS: clip.durationS, totalFrames: clip.times.length });
      for await (const frame of clip.frames) {
        if (controller.signal.aborted) {
          frame.bitmap.close();
          break;
        }
        const analysed = await client.analyseFrame(frame.bitmap, { cropFormat: 'png' });
        const faces = analysed.faces.map((face) => ({ result: face, cropUrl: face.crop.format === 'rgba' ? null : URL.createObjectURL(face.crop.blob) }));
        dispatch({ type: 'FRAME_ANALYSED', clipId, frameIndex: frame.index, timeMs: frame.timeMs, frameSha256: analysed.frameSha256, width: analysed.width, height: analysed.height, faces });
      }
      await hashed;
      if (controller.signal.aborted) return dispatch({ type: 'CANCELLED', clipId });
      dispatch({ type: 'SAMPLING_DONE', clipId, analysisMs: performance.now() - startedAt });
    } catch (error) {
      if (controller.signal.aborted || (error instanceof ClipError && error.code === 'CANCELLED')) return dispatch({ type: 'CANCELLED', clipId });
      dispatch({ type: 'CLIP_FAILED', clipId, message: problemOf(error) });
    } finally {
      clip?.close();
    }
  }

  function cancel() {
    const clipId = latest.current.clip?.id;
    sampling.current?.abort();
    if (clipId) dispatch({ type: 'CANCELLED', clipId });
  }

  async function search(form: HTMLFormElement) {
    const track = selectedTrackOf(state);
    if (!track || !canSearch(state)) return;
    const keys = Object.fromEntries(facesNeedingKeys(state).map((key) => [key, crypto.randomUUID()]));
    const started = clipPanelReducer(state, { type: 'SUBMIT_STARTED', trackId: track.id, idempotencyKeys: keys });
    const submission = submissionOf(started);
    if (!submission) return;
    dispatch({ type: 'SUBMIT_STARTED', trackId: track.id, idempotencyKeys: keys });
    const data = new FormData(form);
    try {
      const probeFaceIds: string[] = [];
      // One probe per frame, each with its own submission key: a retry after a dropped connection
      // returns the frames already recorded instead of recording them again.
      for (const frame of submission.frames) {
        if (frame.result.crop.format === 'rgba') throw new Error('The crop was not encoded.');
        const recorded = await recordProbeFaceForSearch(
          buildProbeFaceFormData(
            {
              caseId,
              idempotencyKey: frame.idempotencyKey,
              still: {
                imageSha256: frame.frameSha256,
                width: frame.frameWidth,
                height: frame.frameHeight,
                source: String(data.get('source') ?? ''),
                cameraLocation: String(data.get('cameraLocation') ?? '') || undefined,
                clip: { clipSha256: submission.clip.sha256, fileName: submission.clip.fileName, frameTimeMs: frame.timeMs },
              },
              face: toProbeFaceInput(frame.result),
            },
            frame.result.crop.blob,
          ),
        );
        if (!recorded.ok) return dispatch({ type: 'SUBMIT_FAILED', error: recorded.error });
        probeFaceIds.push(recorded.data.probeFaceId);
      }
      dispatch({ type: 'FRAMES_RECORDED', trackId: track.id });
      const [probeFaceId, ...extraProbeFaceIds] = probeFaceIds;
      const searched = await runSearch({
        probeFaceId: probeFaceId!,
        extraProbeFaceIds,
        watchlistIds: state.chosenWatchlistIds,
        mode: state.mode,
        threshold: state.mode === 'threshold' ? Number(data.get('threshold')) : undefined,
        listSize: Number(data.get('listSize')) || undefined,
        qualityOverrideReason: String(data.get('qualityOverrideReason') ?? '') || undefined,
        isOverdueReviewAcknowledged: data.get('isOverdueReviewAcknowledged') === 'on',
      });
      if (!searched.ok) return dispatch({ type: 'SUBMIT_FAILED', error: searched.error });
      router.push(`/cases/${caseId}/searches/${searched.data.searchId}`);
    } catch {
      dispatch({ type: 'SUBMIT_FAILED', error: UNREACHABLE });
    }
  }

  const status = statusOf(state);
  const selected = selectedTrackOf(state);
  const isBusy = state.phase === 'opening' || state.phase === 'sampling';
  const chosenFaces = selected ? selected.chosenKeys.map((key) => state.faces[key]!) : [];
  const needsOverride = chosenFaces.some((face) => face.result.quality.needsOverride);

  return (
    <div data-testid="clip-panel">
      {!isBusy ? (
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
          <strong>Drop a short CCTV clip here, or choose a file</strong>
          <span className="hint">MP4 (H.264) or WebM, up to 5 minutes. The clip is analysed in this browser and is not uploaded; only the chosen frames&apos; faces are sent.</span>
          <input
            type="file"
            accept="video/mp4,video/webm,video/*"
            aria-label="Choose a CCTV clip"
            disabled={isSubmitting(state)}
            onChange={(event) => {
              const file = event.currentTarget.files?.[0];
              event.currentTarget.value = '';
              if (file) void openFile(file);
            }}
          />
        </label>
      ) : null}
      {status ? (
        <div role="status" aria-live="polite" data-testid="clip-status">
          <p>
            {status}
            {state.clip ? <span className="muted"> · {state.clip.fileName}</span> : null}
          </p>
          {state.phase === 'sampling' && state.clip?.totalFrames ? (
            <progress max={state.clip.totalFrames} value={state.framesDone} aria-label="Frames sampled" />
          ) : (
            <div className="progress indeterminate" aria-hidden="true">
              <div />
            </div>
          )}
          {isBusy ? (
            <button className="button secondary" type="button" onClick={cancel}>
              Cancel
            </button>
          ) : null}
        </div>
      ) : null}
      {state.problem ? (
        <p className={`alert ${state.phase === 'cancelled' ? '' : 'error'}`} role="alert" data-testid="clip-problem">
          {state.problem}
        </p>
      ) : null}

      {state.phase === 'ready' && state.tracks.length > 0 ? (
        <div className="stack" data-testid="clip-tracks">
          <p className="muted">
            {state.clip?.fileName} · {Math.round((state.clip?.durationS ?? 0) * 10) / 10} s · {state.framesDone} frames sampled · {state.tracks.length} person
            {state.tracks.length === 1 ? '' : 's'} tracked
            {state.clip?.analysisMs ? <span data-testid="clip-analysis-time"> · analysed in {(state.clip.analysisMs / 1000).toFixed(1)} s</span> : null}
            {state.clip?.sha256 ? <span className="mono"> · SHA-256 {state.clip.sha256.slice(0, 12)}…</span> : null}
          </p>
          <fieldset>
            <legend>Tracks found in the clip</legend>
            {state.tracks.map((track) => (
              <label key={track.id} style={{ display: 'flex', gap: '0.5rem', alignItems: 'center', fontWeight: 400 }}>
                <input
                  type="radio"
                  name="clip-track"
                  checked={track.id === state.selectedTrackId}
                  disabled={isSubmitting(state)}
                  onChange={() => dispatch({ type: 'TRACK_SELECTED', trackId: track.id })}
                />
                {describeTrack(track)}
                {track.rankedKeys.slice(0, 3).map((key) =>
                  state.faces[key]?.cropUrl ? (
                    // eslint-disable-next-line @next/next/no-img-element -- local object URL
                    <img key={key} src={state.faces[key]!.cropUrl!} alt="" width={36} height={36} title={formatClipTime(state.faces[key]!.timeMs)} className="thumb" />
                  ) : null,
                )}
              </label>
            ))}
          </fieldset>
          {selected ? (
            <fieldset data-testid="track-frames">
              <legend>
                Best frames of person {selected.id} ({selected.chosenKeys.length} chosen, at most {MAX_CHOSEN_FRAMES})
              </legend>
              <div className="clip-frames">
                {selected.shownKeys.map((key) => {
                  const face = state.faces[key]!;
                  const time = formatClipTime(face.timeMs);
                  return (
                    <label key={key} className="clip-frame">
                      <input
                        type="checkbox"
                        aria-label={`Use the frame at ${time}`}
                        checked={selected.chosenKeys.includes(key)}
                        disabled={isSubmitting(state)}
                        onChange={(event) => dispatch({ type: 'FRAME_TOGGLED', trackId: selected.id, faceKey: key, isChosen: event.currentTarget.checked })}
                      />
                      {face.cropUrl ? (
                        // eslint-disable-next-line @next/next/no-img-element -- local object URL
                        <img src={face.cropUrl} alt={`Face of person ${selected.id} at ${time}`} width={72} height={72} />
                      ) : (
                        <span className="face-thumb" />
                      )}
                      <span>
                        {time} <QualityBadge quality={face.result.quality} />
                        <br />
                        <span className="muted">{Math.round(face.result.quality.metrics.interEyePx)} px between the eyes</span>
                      </span>
                    </label>
                  );
                })}
              </div>
            </fieldset>
          ) : null}
          {selected ? (
            <form
              key={`${state.clip?.id}-${selected.id}`}
              className="panel stack"
              style={{ maxWidth: 'none' }}
              onSubmit={(event) => {
                event.preventDefault();
                void search(event.currentTarget);
              }}
            >
              <h3 style={{ margin: 0 }}>Search person {selected.id} as one probe</h3>
              <div className="grid-2">
                <label>
                  Source of the clip
                  <input name="source" required defaultValue="CCTV clip" />
                </label>
                <label>
                  Camera or location
                  <input name="cameraLocation" />
                </label>
                <label>
                  Candidates to list
                  <input name="listSize" type="number" min={1} max={50} defaultValue={defaultListSize} />
                </label>
                <SearchModeFields mode={state.mode} onModeChange={(mode) => dispatch({ type: 'MODE_CHANGED', mode })} modelId={chosenFaces[0]?.result.modelId ?? null} />
              </div>
              <WatchlistChoice watchlists={watchlists} chosenIds={state.chosenWatchlistIds} onToggle={(watchlistId, isChosen) => dispatch({ type: 'WATCHLIST_TOGGLED', watchlistId, isChosen })} />
              {needsOverride ? (
                <label>
                  Reason to search frames of this quality
                  <span className="hint">A chosen frame is below the quality policy. Your reason is recorded in the audit log.</span>
                  <textarea name="qualityOverrideReason" rows={2} required minLength={10} />
                </label>
              ) : null}
              <FormError error={state.actionError} />
              <div className="row">
                <button className="button" type="submit" disabled={!canSearch(state)}>
                  Search this track
                </button>
                <button className="button secondary" type="button" disabled={isSubmitting(state)} onClick={() => dispatch({ type: 'RESET' })}>
                  Another clip
                </button>
              </div>
            </form>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
