'use client';

import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { recordProbeFaceForSearch } from '@/lib/actions/probes';
import { runSearch } from '@/lib/actions/searches';
import { createVisionClient, type VisionClient } from '@/lib/client/vision-client';
import { calibrationTableFor } from '@/lib/shared/calibration/false-match-rate';
import type { ActionError } from '@/lib/shared/errors';
import { toProbeFaceInput } from '@/lib/shared/schemas/probe';
import type { Box } from '@/lib/vision/geometry';
import { VisionError } from '@/lib/vision/vision-error';
import type { AnalyseResult, DetectResult } from '@/lib/vision/worker-protocol';
import { FormError } from '@/components/ui/form-feedback';
import { FaceOverlay } from './face-overlay';
import { QualityBadge } from './quality-badge';

export type SearchableWatchlist = { id: string; name: string; faces: number };

type Still = { file: File; url: string; sha256: string; detect: DetectResult };
type Face = { key: string; box: Box; score: number | null; analysis?: AnalyseResult; cropUrl?: string; error?: string };

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

function visionMessage(error: unknown): string {
  if (error instanceof VisionError) return VISION_MESSAGES[error.code] ?? error.message;
  return (error as Error)?.message ?? 'The image could not be analysed.';
}

// Threshold mode is offered in terms of measured false-match rates, not raw scores.
function thresholdChoices(modelId: string): { fmr: number; score: number }[] {
  return (calibrationTableFor(modelId)?.thresholds ?? []).filter(
    (entry): entry is { fmr: number; score: number } => entry.score !== null && entry.fmr <= 1e-2,
  );
}

async function sha256Hex(file: Blob): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

async function blobToBase64(blob: Blob): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let binary = '';
  for (let index = 0; index < bytes.length; index += 0x8000) binary += String.fromCharCode(...bytes.subarray(index, index + 0x8000));
  return btoa(binary);
}

/**
 * The investigator's bench for one still: the browser finds and measures every face (nothing but the
 * chosen face's embedding and crop ever leaves the machine), the investigator picks one — or draws a
 * box where the detector missed — records where the still came from, and searches.
 */
export function ProbeWorkbench({ caseId, watchlists, defaultListSize }: { caseId: string; watchlists: SearchableWatchlist[]; defaultListSize: number }) {
  const router = useRouter();
  const vision = useRef<VisionClient | null>(null);
  const [backend, setBackend] = useState<string | null>(null);
  const [still, setStill] = useState<Still | null>(null);
  const [faces, setFaces] = useState<Face[]>([]);
  const [selectedKey, setSelectedKey] = useState<string | null>(null);
  const [hoveredKey, setHoveredKey] = useState<string | null>(null);
  const [isDrawing, setIsDrawing] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [actionError, setActionError] = useState<ActionError | null>(null);
  const [isDragOver, setIsDragOver] = useState(false);
  const [mode, setMode] = useState<'rank' | 'threshold'>('rank');
  const [chosenWatchlists, setChosenWatchlists] = useState<string[]>(() => watchlists.map((list) => list.id));

  useEffect(() => {
    const client = createVisionClient({ onBackendChanged: (next, reason) => setBackend(`${next} (${reason})`) });
    vision.current = client;
    client.ready().then((init) => setBackend(`${init.backend}${init.backend === 'wasm' ? `, ${init.numThreads} threads` : ''}`)).catch(() => {});
    return () => client.terminate();
  }, []);

  const selected = faces.find((face) => face.key === selectedKey) ?? null;

  const analyseFace = useCallback(
    async (face: Face, imageId: string) => {
      setBusy('Measuring the face…');
      try {
        const analysis = await vision.current!.analyse({ imageId, box: face.box, score: face.score }, { cropFormat: 'png' });
        const cropUrl = analysis.crop.format === 'png' || analysis.crop.format === 'jpeg' ? URL.createObjectURL(analysis.crop.blob) : undefined;
        setFaces((current) => current.map((entry) => (entry.key === face.key ? { ...entry, analysis, cropUrl } : entry)));
      } catch (error) {
        setFaces((current) => current.map((entry) => (entry.key === face.key ? { ...entry, error: visionMessage(error) } : entry)));
      } finally {
        setBusy(null);
      }
    },
    [],
  );

  async function openFile(file: File) {
    setProblem(null);
    setActionError(null);
    setFaces([]);
    setSelectedKey(null);
    if (still) {
      URL.revokeObjectURL(still.url);
      void vision.current?.release(still.detect.imageId);
    }
    setStill(null);
    setBusy('Loading the face models and looking for faces…');
    try {
      const [detect, sha256] = await Promise.all([vision.current!.detect(file), sha256Hex(file)]);
      setStill({ file, url: URL.createObjectURL(file), sha256, detect });
      const found = detect.faces.map((face, index) => ({ key: `d${index}`, box: face.box, score: face.score }));
      setFaces(found);
      if (found.length === 0) setProblem('No face was found. Draw a box around the face if there is one.');
      else {
        setSelectedKey(found[0]!.key);
        await analyseFace(found[0]!, detect.imageId);
      }
    } catch (error) {
      setProblem(visionMessage(error));
    } finally {
      setBusy(null);
    }
  }

  function select(key: string) {
    setSelectedKey(key);
    const face = faces.find((entry) => entry.key === key);
    if (face && !face.analysis && !face.error && still) void analyseFace(face, still.detect.imageId);
  }

  async function addManualBox(box: Box) {
    if (!still) return;
    setIsDrawing(false);
    const face: Face = { key: `m${Date.now()}`, box, score: null };
    setFaces((current) => [...current, face]);
    setSelectedKey(face.key);
    await analyseFace(face, still.detect.imageId);
  }

  // Keyboard: ← → (or j k) move between faces, d toggles drawing, Escape cancels drawing.
  const keys = useMemo(() => faces.map((face) => face.key), [faces]);
  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      if ((event.target as HTMLElement).closest('input, textarea, select')) return;
      if (event.key === 'Escape') setIsDrawing(false);
      if (event.key === 'd' && still) setIsDrawing((value) => !value);
      if (!keys.length) return;
      const position = selectedKey ? keys.indexOf(selectedKey) : -1;
      if (event.key === 'ArrowRight' || event.key === 'j') select(keys[(position + 1) % keys.length]!);
      if (event.key === 'ArrowLeft' || event.key === 'k') select(keys[(position - 1 + keys.length) % keys.length]!);
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  async function search(form: HTMLFormElement) {
    if (!still || !selected?.analysis) return;
    setActionError(null);
    const data = new FormData(form);
    const analysis = selected.analysis;
    if (analysis.crop.format === 'rgba') return;
    setBusy('Recording the face and searching…');
    try {
      const recorded = await recordProbeFaceForSearch({
        caseId,
        still: {
          imageSha256: still.sha256,
          width: still.detect.info.originalWidth,
          height: still.detect.info.originalHeight,
          source: String(data.get('source') ?? ''),
          cameraLocation: String(data.get('cameraLocation') ?? '') || undefined,
          capturedAt: data.get('capturedAt') ? new Date(String(data.get('capturedAt'))).toISOString() : undefined,
        },
        face: toProbeFaceInput(analysis, await blobToBase64(analysis.crop.blob)),
      });
      if (!recorded.ok) return setActionError(recorded.error);
      const threshold = mode === 'threshold' ? Number(data.get('threshold')) : undefined;
      const result = await runSearch({
        probeFaceId: recorded.data.probeFaceId,
        watchlistIds: chosenWatchlists,
        mode,
        listSize: Number(data.get('listSize')) || undefined,
        threshold,
        qualityOverrideReason: String(data.get('qualityOverrideReason') ?? '') || undefined,
      });
      if (!result.ok) return setActionError(result.error);
      router.push(`/cases/${caseId}/searches/${result.data.searchId}`);
    } finally {
      setBusy(null);
    }
  }

  return (
    <div>
      {!still ? (
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
              if (file) void openFile(file);
            }}
          />
        </label>
      ) : null}
      <p className="muted" data-testid="vision-backend">
        Face analysis: {backend ?? 'starting…'}
      </p>
      {busy ? (
        <div role="status" aria-live="polite">
          <p>{busy}</p>
          {/* Model inference gives no intermediate progress: an indeterminate bar, not an invented percentage. */}
          <div className="progress indeterminate" aria-hidden="true">
            <div />
          </div>
        </div>
      ) : null}
      {problem ? (
        <p className="alert error" role="alert" data-testid="vision-problem">
          {problem}
        </p>
      ) : null}
      {still ? (
        <div className="workbench">
          <div>
            <div className="row" style={{ marginBottom: '0.5rem' }}>
              <strong>{still.file.name}</strong>
              <span className="muted">
                {still.detect.info.originalWidth}×{still.detect.info.originalHeight}
                {still.detect.info.scale < 1 ? ` (analysed at ${Math.round(still.detect.info.scale * 100)} %)` : ''} ·{' '}
                {faces.length} face{faces.length === 1 ? '' : 's'} · {Math.round(still.detect.ms)} ms
              </span>
              <button className="button secondary" type="button" aria-pressed={isDrawing} onClick={() => setIsDrawing(!isDrawing)}>
                {isDrawing ? 'Cancel drawing' : 'Draw a box'} <kbd>d</kbd>
              </button>
              <button className="button secondary" type="button" onClick={() => setStill(null)}>
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
                verdict: face.analysis?.quality.verdict,
                label: `Face ${index + 1}${face.analysis ? `, quality ${face.analysis.quality.verdict}` : ''}`,
              }))}
              selectedKey={selectedKey}
              hoveredKey={hoveredKey}
              onHover={setHoveredKey}
              onSelect={select}
              isDrawing={isDrawing}
              onDrawn={addManualBox}
            />
            <p className="muted">
              <kbd>←</kbd> <kbd>→</kbd> move between faces · <kbd>d</kbd> draw a box · <kbd>Esc</kbd> cancel
            </p>
          </div>
          <div className="face-cards" data-testid="face-cards">
            {faces.map((face, index) => (
              <button
                key={face.key}
                type="button"
                className={`face-card ${hoveredKey === face.key ? 'hovered' : ''}`}
                aria-pressed={face.key === selectedKey}
                onMouseEnter={() => setHoveredKey(face.key)}
                onMouseLeave={() => setHoveredKey(null)}
                onClick={() => select(face.key)}
              >
                {face.cropUrl ? (
                  // eslint-disable-next-line @next/next/no-img-element -- local object URL
                  <img src={face.cropUrl} alt={`Aligned crop of face ${index + 1}`} />
                ) : (
                  <span className="face-thumb" />
                )}
                <span>
                  Face {index + 1} {face.score === null ? <span className="badge muted">drawn</span> : null}{' '}
                  {face.analysis ? <QualityBadge quality={face.analysis.quality} /> : null}
                  <br />
                  <span className="muted">
                    {face.error ??
                      (face.analysis
                        ? `${Math.round(face.analysis.quality.metrics.interEyePx)} px between the eyes`
                        : face.score !== null
                          ? `detector ${Math.round(face.score * 100) / 100}`
                          : '')}
                  </span>
                </span>
              </button>
            ))}
          </div>
        </div>
      ) : null}

      {selected?.analysis ? (
        <form
          className="panel stack"
          style={{ marginTop: '1rem', maxWidth: 'none' }}
          onSubmit={(event) => {
            event.preventDefault();
            void search(event.currentTarget);
          }}
        >
          <h2 style={{ margin: 0 }}>Search this face</h2>
          {selected.analysis.quality.reasons.length ? (
            <ul className="muted" data-testid="quality-reasons">
              {selected.analysis.quality.reasons.map((reason) => (
                <li key={reason.metric}>{reason.message}</li>
              ))}
            </ul>
          ) : null}
          <div className="grid-2">
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
            <label>
              Candidates to list
              <input name="listSize" type="number" min={1} max={50} defaultValue={defaultListSize} />
            </label>
            <label>
              Mode
              <select value={mode} onChange={(event) => setMode(event.currentTarget.value as 'rank' | 'threshold')}>
                <option value="rank">Ranked list: the closest people, however weak</option>
                <option value="threshold">Threshold: only scores rarer by chance than…</option>
              </select>
            </label>
            {mode === 'threshold' ? (
              <label>
                Chance of a score this high between two different people
                <select name="threshold" defaultValue={thresholdChoices(selected.analysis.modelId)[1]?.score}>
                  {thresholdChoices(selected.analysis.modelId).map((choice) => (
                    <option key={choice.fmr} value={choice.score}>
                      1 in {(1 / choice.fmr).toLocaleString('en-GB')} comparisons
                    </option>
                  ))}
                </select>
              </label>
            ) : null}
          </div>
          <fieldset>
            <legend>Watch-lists to search</legend>
            {watchlists.length === 0 ? <p className="muted">No watch-lists exist yet. An administrator creates and fills them.</p> : null}
            {watchlists.map((list) => (
              <label key={list.id} style={{ display: 'flex', gap: '0.5rem', fontWeight: 400 }}>
                <input
                  type="checkbox"
                  checked={chosenWatchlists.includes(list.id)}
                  onChange={(event) => {
                    const isChecked = event.currentTarget.checked;
                    setChosenWatchlists((current) => (isChecked ? [...current, list.id] : current.filter((id) => id !== list.id)));
                  }}
                />
                {list.name} <span className="muted">({list.faces} faces)</span>
              </label>
            ))}
          </fieldset>
          {selected.analysis.quality.needsOverride ? (
            <label>
              Reason to search a face of this quality
              <span className="hint">The quality is below policy. Your reason is recorded in the audit log.</span>
              <textarea name="qualityOverrideReason" rows={2} required minLength={10} />
            </label>
          ) : null}
          <FormError error={actionError} />
          <button className="button" type="submit" disabled={Boolean(busy) || chosenWatchlists.length === 0}>
            Search
          </button>
        </form>
      ) : null}
    </div>
  );
}
