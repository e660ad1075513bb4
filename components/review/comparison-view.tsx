'use client';

import { type CSSProperties, type PointerEvent as ReactPointerEvent, useEffect, useId, useReducer, useRef } from 'react';
import type { BenchFace } from '@/lib/shared/review/bench-view';

// The probe and one candidate, large and at the same scale, with the tools a facial examiner uses to
// compare morphology rather than trust a score: synchronised zoom and pan (the same region of both
// faces is always in view), overlay with a blend, flicker, a wipe, and the located landmarks. Both
// crops are the aligned square crops the recogniser saw, so one frame size puts them at one scale.

export type CompareMode = 'side-by-side' | 'overlay' | 'flicker' | 'wipe';

const MODES: { id: CompareMode; label: string }[] = [
  { id: 'side-by-side', label: 'Side by side' },
  { id: 'overlay', label: 'Overlay' },
  { id: 'flicker', label: 'Flicker' },
  { id: 'wipe', label: 'Wipe' },
];

const MIN_ZOOM = 1;
const MAX_ZOOM = 8;
const ZOOM_STEP = 1.25;
/** A Shift+arrow press pans by this fraction of the frame. */
const PAN_STEP = 0.05;
/**
 * Slowest alternation first, none faster than 2.5 a second: WCAG 2.3.1 puts the flash threshold at
 * three a second, and an examiner looking at the tool all day must not be exposed to more.
 */
const FLICKER_INTERVALS_MS = [1000, 700, 400] as const;
const FASTEST_FLICKER_MS = 400;

export type CompareState = {
  mode: CompareMode;
  zoom: number;
  /** The layer's offset from centred, in fractions of the frame, shared by both faces. */
  panX: number;
  panY: number;
  /** Candidate opacity over the probe in overlay mode, 0..100. */
  blend: number;
  /** How much of the frame, from the left, shows the candidate in wipe mode, 0..100. */
  wipe: number;
  isLandmarksShown: boolean;
  isFlickerPaused: boolean;
  isFlickerOnCandidate: boolean;
  flickerMs: number;
};

export type CompareAction =
  | { type: 'setMode'; mode: CompareMode; isReducedMotion?: boolean }
  /** `anchor` is the point to hold still, in fractions of the frame from its centre (the pointer, for the wheel). */
  | { type: 'zoom'; factor: number; anchor?: { x: number; y: number } }
  | { type: 'pan'; dx: number; dy: number }
  | { type: 'reset' }
  | { type: 'setBlend'; value: number }
  | { type: 'setWipe'; value: number }
  | { type: 'toggleLandmarks' }
  | { type: 'toggleFlickerPause' }
  | { type: 'flickerTick' }
  | { type: 'setFlickerInterval'; ms: number };

export const initialCompareState: CompareState = {
  mode: 'side-by-side',
  zoom: 1,
  panX: 0,
  panY: 0,
  blend: 50,
  wipe: 50,
  isLandmarksShown: false,
  isFlickerPaused: false,
  isFlickerOnCandidate: false,
  flickerMs: FLICKER_INTERVALS_MS[0],
};

const clamp = (value: number, low: number, high: number) => Math.max(low, Math.min(high, value));

/** The face must always fill the frame: an edge pulled into view would look like part of the face. */
const clampPan = (pan: number, zoom: number) => clamp(pan, -(zoom - 1) / 2, (zoom - 1) / 2);

export function compareReducer(state: CompareState, action: CompareAction): CompareState {
  switch (action.type) {
    case 'setMode':
      return {
        ...state,
        mode: action.mode,
        // Someone who asked their system for reduced motion starts flicker paused and steps it by hand.
        isFlickerPaused: action.mode === 'flicker' ? Boolean(action.isReducedMotion) : state.isFlickerPaused,
        isFlickerOnCandidate: false,
      };
    case 'zoom': {
      const zoom = clamp(state.zoom * action.factor, MIN_ZOOM, MAX_ZOOM);
      const anchor = action.anchor ?? { x: 0, y: 0 };
      // Keep the face point under the anchor where it is: p = pan + zoom·u must hold before and after.
      const ratio = zoom / state.zoom;
      return {
        ...state,
        zoom,
        panX: clampPan(anchor.x - (anchor.x - state.panX) * ratio, zoom),
        panY: clampPan(anchor.y - (anchor.y - state.panY) * ratio, zoom),
      };
    }
    case 'pan':
      return { ...state, panX: clampPan(state.panX + action.dx, state.zoom), panY: clampPan(state.panY + action.dy, state.zoom) };
    case 'reset':
      return { ...state, zoom: 1, panX: 0, panY: 0 };
    case 'setBlend':
      return { ...state, blend: clamp(action.value, 0, 100) };
    case 'setWipe':
      return { ...state, wipe: clamp(action.value, 0, 100) };
    case 'toggleLandmarks':
      return { ...state, isLandmarksShown: !state.isLandmarksShown };
    case 'toggleFlickerPause':
      return { ...state, isFlickerPaused: !state.isFlickerPaused };
    case 'flickerTick':
      return { ...state, isFlickerOnCandidate: !state.isFlickerOnCandidate };
    case 'setFlickerInterval':
      return { ...state, flickerMs: Math.max(FASTEST_FLICKER_MS, action.ms) };
  }
}

/**
 * Whether a key press belongs to the control that has focus rather than to the bench's shortcuts:
 * text entry takes every key; sliders, radios and selects take the arrow keys (and Home/End).
 */
export function isKeyForFocusedControl(event: KeyboardEvent): boolean {
  const target = event.target;
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target instanceof HTMLTextAreaElement) return true;
  const isArrowLike = /^(Arrow|Home$|End$|Page)/.test(event.key);
  if (target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) {
    if (['radio', 'range', 'checkbox'].includes(target.type)) return isArrowLike;
    return !['button', 'submit', 'reset'].includes(target.type);
  }
  return false;
}

function prefersReducedMotion(): boolean {
  return typeof window !== 'undefined' && window.matchMedia?.('(prefers-reduced-motion: reduce)').matches === true;
}

const PROBE_POINT_COLOUR = '#33d6ff';
const CANDIDATE_POINT_COLOUR = '#ff4fd8';

function FaceLayer({ face, alt, zoom, transform, pointColour, isLandmarksShown }: {
  face: BenchFace;
  alt: string;
  zoom: number;
  transform: string;
  pointColour: string;
  isLandmarksShown: boolean;
}) {
  return (
    <div className="compare-layer" style={{ transform }}>
      {/* eslint-disable-next-line @next/next/no-img-element -- authorised crop route, never optimised or cached */}
      <img src={face.cropUrl} alt={alt} draggable={false} />
      {isLandmarksShown && face.landmarks ? (
        <svg className="compare-landmarks" viewBox="0 0 1 1" preserveAspectRatio="none" aria-hidden="true">
          {face.landmarks.map(([x, y], index) => (
            // The radius shrinks as the view zooms so the points mark a place without hiding it.
            <circle key={index} cx={x} cy={y} r={0.008 / zoom} fill={pointColour} stroke="#000" strokeWidth={0.002 / zoom} />
          ))}
        </svg>
      ) : null}
    </div>
  );
}

export function ComparisonView({ probe, candidate, probeAlt, candidateAlt, isKeyboardEnabled = true }: {
  probe: BenchFace;
  candidate: BenchFace;
  /** Never an identity while identities are hidden: the page passes e.g. "Probe face". */
  probeAlt: string;
  /** e.g. "Candidate face 3": never a name while identities are hidden from this reviewer. */
  candidateAlt: string;
  /** Off while a dialog is open over the bench, so +/− do not act behind it. */
  isKeyboardEnabled?: boolean;
}) {
  const [state, dispatch] = useReducer(compareReducer, initialCompareState);
  const stage = useRef<HTMLDivElement>(null);
  const drag = useRef<{ pointerId: number; x: number; y: number; width: number; height: number } | null>(null);
  const ids = useId();

  const hasProbePoints = probe.landmarks !== null;
  const hasCandidatePoints = candidate.landmarks !== null;
  const canShowLandmarks = hasProbePoints || hasCandidatePoints;
  const landmarksTitle = !canShowLandmarks
    ? 'No landmarks were located on either face'
    : !hasProbePoints
      ? 'No landmarks were located on the probe face; only the candidate’s are drawn'
      : !hasCandidatePoints
        ? 'No landmarks were located on the candidate face; only the probe’s are drawn'
        : 'Draw the 68 located landmarks on each face';

  // React's wheel listener is passive, so the page would scroll as well as zoom; a native one is not.
  useEffect(() => {
    const element = stage.current;
    if (!element) return;
    const onWheel = (event: WheelEvent) => {
      const frame = (event.target as Element | null)?.closest('.compare-frame');
      if (!frame) return;
      event.preventDefault();
      const rect = frame.getBoundingClientRect();
      dispatch({
        type: 'zoom',
        factor: Math.exp(-event.deltaY * 0.0015),
        anchor: { x: (event.clientX - rect.left) / rect.width - 0.5, y: (event.clientY - rect.top) / rect.height - 0.5 },
      });
    };
    element.addEventListener('wheel', onWheel, { passive: false });
    return () => element.removeEventListener('wheel', onWheel);
  }, []);

  useEffect(() => {
    if (!isKeyboardEnabled) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || isKeyForFocusedControl(event)) return;
      const pans: Record<string, [number, number]> = { ArrowLeft: [-PAN_STEP, 0], ArrowRight: [PAN_STEP, 0], ArrowUp: [0, -PAN_STEP], ArrowDown: [0, PAN_STEP] };
      let action: CompareAction | null = null;
      if (event.key === '+' || event.key === '=') action = { type: 'zoom', factor: ZOOM_STEP };
      else if (event.key === '-' || event.key === '_') action = { type: 'zoom', factor: 1 / ZOOM_STEP };
      else if (event.key === '0') action = { type: 'reset' };
      // Shift+arrow moves both faces as a drag that way would; plain arrows belong to the bench.
      else if (event.shiftKey && pans[event.key]) action = { type: 'pan', dx: pans[event.key]![0], dy: pans[event.key]![1] };
      if (!action) return;
      event.preventDefault();
      dispatch(action);
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [isKeyboardEnabled]);

  const isFlickering = state.mode === 'flicker' && !state.isFlickerPaused;
  useEffect(() => {
    if (!isFlickering) return;
    const timer = window.setInterval(() => dispatch({ type: 'flickerTick' }), state.flickerMs);
    return () => window.clearInterval(timer);
  }, [isFlickering, state.flickerMs]);

  const transform = `translate(${state.panX * 100}%, ${state.panY * 100}%) scale(${state.zoom})`;
  const layer = (face: BenchFace, alt: string, pointColour: string) => (
    <FaceLayer face={face} alt={alt} zoom={state.zoom} transform={transform} pointColour={pointColour} isLandmarksShown={state.isLandmarksShown} />
  );

  const framePointer = {
    onPointerDown(event: ReactPointerEvent<HTMLDivElement>) {
      if (event.button !== 0) return;
      const rect = event.currentTarget.getBoundingClientRect();
      event.currentTarget.setPointerCapture?.(event.pointerId);
      drag.current = { pointerId: event.pointerId, x: event.clientX, y: event.clientY, width: rect.width, height: rect.height };
    },
    onPointerMove(event: ReactPointerEvent<HTMLDivElement>) {
      const start = drag.current;
      if (!start || start.pointerId !== event.pointerId) return;
      dispatch({ type: 'pan', dx: (event.clientX - start.x) / start.width, dy: (event.clientY - start.y) / start.height });
      drag.current = { ...start, x: event.clientX, y: event.clientY };
    },
    onPointerUp() {
      drag.current = null;
    },
    onPointerCancel() {
      drag.current = null;
    },
  };
  const frameClass = `compare-frame${state.zoom > 1 ? ' is-zoomed' : ''}`;

  let frames;
  if (state.mode === 'side-by-side') {
    frames = (
      <>
        <figure className="compare-figure">
          <div className={frameClass} {...framePointer}>
            <div className="compare-pane">{layer(probe, probeAlt, PROBE_POINT_COLOUR)}</div>
          </div>
          <figcaption>Probe</figcaption>
        </figure>
        <figure className="compare-figure">
          <div className={frameClass} {...framePointer}>
            <div className="compare-pane">{layer(candidate, candidateAlt, CANDIDATE_POINT_COLOUR)}</div>
          </div>
          <figcaption>Candidate</figcaption>
        </figure>
      </>
    );
  } else {
    const candidatePaneStyle: CSSProperties =
      state.mode === 'overlay'
        ? { opacity: state.blend / 100 }
        : state.mode === 'wipe'
          ? { clipPath: `inset(0 ${100 - state.wipe}% 0 0)` }
          : { opacity: state.isFlickerOnCandidate ? 1 : 0 };
    const caption =
      state.mode === 'overlay'
        ? `Candidate over probe at ${state.blend}%`
        : state.mode === 'wipe'
          ? 'Candidate on the left of the line, probe on the right'
          : state.isFlickerOnCandidate
            ? 'Showing the candidate'
            : 'Showing the probe';
    frames = (
      <figure className="compare-figure">
        <div className={frameClass} {...framePointer}>
          <div className="compare-pane">{layer(probe, probeAlt, PROBE_POINT_COLOUR)}</div>
          <div className="compare-pane" style={candidatePaneStyle}>
            {layer(candidate, candidateAlt, CANDIDATE_POINT_COLOUR)}
          </div>
          {state.mode === 'wipe' ? <div className="compare-wipe-line" style={{ left: `${state.wipe}%` }} aria-hidden="true" /> : null}
          {state.mode === 'flicker' ? (
            <span className="compare-flicker-tag" aria-hidden="true">
              {state.isFlickerOnCandidate ? 'Candidate' : 'Probe'}
            </span>
          ) : null}
        </div>
        <figcaption>{caption}</figcaption>
      </figure>
    );
  }

  return (
    <section className="compare" data-testid="comparison-view" aria-label="Face comparison">
      <div className="compare-toolbar">
        <div className="compare-modes" role="group" aria-label="Comparison mode">
          {MODES.map((mode) => (
            <button
              key={mode.id}
              type="button"
              className="compare-toggle"
              aria-pressed={state.mode === mode.id}
              onClick={() => dispatch({ type: 'setMode', mode: mode.id, isReducedMotion: prefersReducedMotion() })}
            >
              {mode.label}
            </button>
          ))}
        </div>
        <div className="compare-zoom" role="group" aria-label="Zoom">
          <button type="button" className="compare-toggle" aria-label="Zoom out" aria-keyshortcuts="-" title="Zoom out (−)" disabled={state.zoom <= MIN_ZOOM} onClick={() => dispatch({ type: 'zoom', factor: 1 / ZOOM_STEP })}>
            −
          </button>
          <output className="compare-zoom-level mono" aria-label="Zoom level">×{state.zoom.toFixed(1)}</output>
          <button type="button" className="compare-toggle" aria-label="Zoom in" aria-keyshortcuts="+" title="Zoom in (+)" disabled={state.zoom >= MAX_ZOOM} onClick={() => dispatch({ type: 'zoom', factor: ZOOM_STEP })}>
            +
          </button>
          <button type="button" className="compare-toggle" aria-keyshortcuts="0" title="Back to the whole face (0)" onClick={() => dispatch({ type: 'reset' })}>
            Reset
          </button>
        </div>
        <span className="compare-check" title={landmarksTitle}>
          <input id={`${ids}-landmarks`} type="checkbox" checked={state.isLandmarksShown && canShowLandmarks} disabled={!canShowLandmarks} onChange={() => dispatch({ type: 'toggleLandmarks' })} />
          <label htmlFor={`${ids}-landmarks`}>Landmarks</label>
        </span>
      </div>

      {state.mode === 'overlay' ? (
        <div className="compare-slider">
          <label htmlFor={`${ids}-blend`}>Blend</label>
          <input id={`${ids}-blend`} type="range" min={0} max={100} step={1} value={state.blend} aria-valuetext={`Candidate at ${state.blend}% over the probe`} onChange={(event) => dispatch({ type: 'setBlend', value: Number(event.target.value) })} />
          <span className="mono" aria-hidden="true">{state.blend}%</span>
        </div>
      ) : null}
      {state.mode === 'wipe' ? (
        <div className="compare-slider">
          <label htmlFor={`${ids}-wipe`}>Wipe</label>
          <input id={`${ids}-wipe`} type="range" min={0} max={100} step={1} value={state.wipe} aria-valuetext={`Candidate shown over the left ${state.wipe}% of the frame`} onChange={(event) => dispatch({ type: 'setWipe', value: Number(event.target.value) })} />
          <span className="mono" aria-hidden="true">{state.wipe}%</span>
        </div>
      ) : null}
      {state.mode === 'flicker' ? (
        <div className="compare-slider">
          <button type="button" className="compare-toggle" aria-pressed={state.isFlickerPaused} title="Stop alternating the faces" onClick={() => dispatch({ type: 'toggleFlickerPause' })}>
            Pause
          </button>
          <button type="button" className="compare-toggle" title="Show the other face" onClick={() => dispatch({ type: 'flickerTick' })}>
            Swap
          </button>
          <label htmlFor={`${ids}-interval`}>Interval</label>
          <select id={`${ids}-interval`} value={state.flickerMs} onChange={(event) => dispatch({ type: 'setFlickerInterval', ms: Number(event.target.value) })}>
            {FLICKER_INTERVALS_MS.map((ms) => (
              <option key={ms} value={ms}>
                {(ms / 1000).toFixed(1)} s
              </option>
            ))}
          </select>
        </div>
      ) : null}

      <div ref={stage} className={`compare-stage compare-stage-${state.mode}`}>
        {frames}
      </div>
      <p className="muted compare-hint">
        Scroll or <kbd>+</kbd>/<kbd>−</kbd> to zoom both faces, drag or <kbd>Shift</kbd>+arrows to pan, <kbd>0</kbd> to reset.
        {state.isLandmarksShown && canShowLandmarks ? (
          <>
            {' '}
            <span className="compare-swatch" style={{ background: PROBE_POINT_COLOUR }} aria-hidden="true" /> probe points,{' '}
            <span className="compare-swatch" style={{ background: CANDIDATE_POINT_COLOUR }} aria-hidden="true" /> candidate points.
          </>
        ) : null}
      </p>
    </section>
  );
}
