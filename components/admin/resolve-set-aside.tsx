'use client';

import { useRouter } from 'next/navigation';
import { useId, useReducer } from 'react';
import { dismissSetAside, enrolSetAsideFace, inspectSetAsideImage } from '@/lib/actions/set-aside';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { FieldError, FormError } from '@/components/ui/form-feedback';
import type { ActionError } from '@/lib/shared/errors';

type InspectedFace = { number: number; verdict: string; reasons: string[]; isEnrollable: boolean; cropPngBase64: string };

type State = {
  phase: 'idle' | 'inspecting' | 'choosing' | 'enrolling' | 'confirming_dismissal' | 'dismissing' | 'done';
  file: File | null;
  faces: InspectedFace[];
  reason: string;
  error: ActionError | null;
  outcome: string | null;
};

type Event =
  | { type: 'file_chosen'; file: File }
  | { type: 'faces_found'; faces: InspectedFace[] }
  | { type: 'enrol_started' }
  | { type: 'reason_changed'; reason: string }
  | { type: 'dismiss_asked' }
  | { type: 'dismiss_cancelled' }
  | { type: 'dismiss_confirmed' }
  | { type: 'failed'; error: ActionError }
  | { type: 'resolved'; outcome: string };

const INITIAL: State = { phase: 'idle', file: null, faces: [], reason: '', error: null, outcome: null };

function reduce(state: State, event: Event): State {
  switch (event.type) {
    case 'file_chosen':
      return { ...state, phase: 'inspecting', file: event.file, faces: [], error: null };
    case 'faces_found':
      return { ...state, phase: 'choosing', faces: event.faces };
    case 'enrol_started':
      return { ...state, phase: 'enrolling', error: null };
    case 'reason_changed':
      return { ...state, reason: event.reason };
    case 'dismiss_asked':
      return { ...state, phase: 'confirming_dismissal', error: null };
    case 'dismiss_cancelled':
      return { ...state, phase: state.faces.length ? 'choosing' : 'idle' };
    case 'dismiss_confirmed':
      return { ...state, phase: 'dismissing' };
    case 'failed':
      // Back to where the administrator can act again: the faces already shown stay.
      return { ...state, phase: state.faces.length && state.phase !== 'inspecting' ? 'choosing' : 'idle', error: event.error };
    case 'resolved':
      return { ...state, phase: 'done', outcome: event.outcome, error: null };
  }
}

const requestFailed = (error: unknown): ActionError => ({ code: 'INTERNAL', message: (error as Error).message || 'The request failed.' });

/**
 * Resolves one set-aside image. Only its SHA-256 was kept, so the administrator supplies the original
 * file again: the server checks it is the same image and shows every face it finds; the administrator
 * enrols the subject's face, or dismisses the image with a reason (after confirming).
 */
export function ResolveSetAside({ exceptionId, subjectRef, sourceLabel }: { exceptionId: string; subjectRef: string; sourceLabel: string }) {
  const router = useRouter();
  const [state, dispatch] = useReducer(reduce, INITIAL);
  const ids = useId();
  const isBusy = state.phase === 'inspecting' || state.phase === 'enrolling' || state.phase === 'dismissing';

  async function inspect(file: File) {
    dispatch({ type: 'file_chosen', file });
    const form = new FormData();
    form.set('exceptionId', exceptionId);
    form.set('file', file);
    try {
      const result = await inspectSetAsideImage(form);
      if (result.ok) dispatch({ type: 'faces_found', faces: result.data.faces });
      else dispatch({ type: 'failed', error: result.error });
    } catch (error) {
      dispatch({ type: 'failed', error: requestFailed(error) });
    }
  }

  async function enrol(faceNumber: number) {
    if (!state.file) return;
    dispatch({ type: 'enrol_started' });
    const form = new FormData();
    form.set('exceptionId', exceptionId);
    form.set('file', state.file);
    form.set('faceNumber', String(faceNumber));
    try {
      const result = await enrolSetAsideFace(form);
      if (!result.ok) return dispatch({ type: 'failed', error: result.error });
      dispatch({ type: 'resolved', outcome: `Face ${faceNumber} enrolled for ${subjectRef}${result.indexPending ? ' (index update pending)' : ''}.` });
      router.refresh();
    } catch (error) {
      dispatch({ type: 'failed', error: requestFailed(error) });
    }
  }

  async function dismiss() {
    dispatch({ type: 'dismiss_confirmed' });
    try {
      const result = await dismissSetAside({ exceptionId, reason: state.reason });
      if (!result.ok) return dispatch({ type: 'failed', error: result.error });
      dispatch({ type: 'resolved', outcome: 'Dismissed.' });
      router.refresh();
    } catch (error) {
      dispatch({ type: 'failed', error: requestFailed(error) });
    }
  }

  if (state.phase === 'done') {
    return (
      <p className="alert ok" role="status">
        {state.outcome}
      </p>
    );
  }

  return (
    <div className="stack" role="group" aria-label={`Resolve ${sourceLabel}`}>
      <label>
        Original image file
        <span className="hint">Only the image&apos;s fingerprint was kept: choose the same file to see the faces in it.</span>
        <input
          type="file"
          accept="image/*"
          disabled={isBusy}
          onChange={(event) => {
            const file = event.currentTarget.files?.[0];
            if (file) void inspect(file);
          }}
        />
        <FieldError error={state.error} name="file" />
      </label>
      {state.phase === 'inspecting' ? <p role="status">Looking for faces…</p> : null}
      {state.faces.length === 0 && state.file && state.phase === 'choosing' ? <p className="empty">No face was found in this image: dismiss it with a reason.</p> : null}
      {state.faces.length > 0 ? (
        <ul className="row" style={{ listStyle: 'none', padding: 0, flexWrap: 'wrap' }} aria-label="Faces found">
          {state.faces.map((face) => (
            <li key={face.number} role="group" aria-label={`Face ${face.number}`} className="stack" style={{ alignItems: 'flex-start' }}>
              {/* eslint-disable-next-line @next/next/no-img-element -- a crop made on the server for this form, not a URL to optimise */}
              <img className="face-thumb" src={`data:image/png;base64,${face.cropPngBase64}`} alt={`Face ${face.number}, ${face.verdict} quality`} width={96} height={96} />
              <span>
                Face {face.number}: <span className={`badge ${face.isEnrollable ? '' : 'warn'}`}>{face.verdict}</span>
              </span>
              {face.reasons.length ? <span className="hint muted">{face.reasons.join('; ')}</span> : null}
              <button className="button" type="button" disabled={isBusy || !face.isEnrollable} onClick={() => void enrol(face.number)}>
                Enrol this face
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <FieldError error={state.error} name="faceNumber" />
      <label>
        Reason for dismissal
        <textarea id={`${ids}-reason`} rows={2} value={state.reason} disabled={isBusy} onChange={(event) => dispatch({ type: 'reason_changed', reason: event.currentTarget.value })} />
        <FieldError error={state.error} name="reason" />
      </label>
      <div className="row">
        <button className="button danger" type="button" disabled={isBusy} onClick={() => dispatch({ type: 'dismiss_asked' })}>
          Dismiss
        </button>
      </div>
      <FormError error={state.error?.fieldErrors ? null : state.error} />
      {state.phase === 'confirming_dismissal' || state.phase === 'dismissing' ? (
        <ConfirmDialog
          title="Dismiss this set-aside image?"
          confirmLabel="Confirm dismissal"
          isPending={state.phase === 'dismissing'}
          onConfirm={() => void dismiss()}
          onCancel={() => dispatch({ type: 'dismiss_cancelled' })}
        >
          <p>
            {sourceLabel} for {subjectRef} will not be enrolled, and leaves the set-aside list. The reason is recorded in the audit log.
          </p>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
