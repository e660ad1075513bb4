'use client';

import { useRouter } from 'next/navigation';
import { type ReactNode, useEffect, useId, useReducer, useRef } from 'react';
import { commitReview } from '@/lib/actions/reviews';
import type { ActionError } from '@/lib/shared/errors';
import type { BenchCandidate, BenchView, CommittedDecisionView } from '@/lib/shared/review/bench-view';
import { COMPONENT_FINDINGS, type ComponentFinding, FINDING_LABELS, FISWG_COMPONENTS } from '@/lib/shared/review/fiswg-components';
import { DECISION_LABELS, DECISIONS, type Decision, needsRationale, RATIONALE_MAX } from '@/lib/shared/schemas/review';
import { ComparisonView, isKeyForFocusedControl } from '@/components/review/comparison-view';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import {
  type BenchAction,
  type BenchState,
  benchReducer,
  createBenchState,
  selectCommitInput,
  selectDecidedCount,
  selectDecisionCounts,
  selectOverriddenByNoMatch,
  selectShownProbeFaceId,
  type StagedDecision,
} from '@/components/review/review-bench-state';

// The reviewer's bench: one candidate at a time beside the probe, a decision staged per candidate and
// committed together after confirmation. What a reviewer may not know is never rendered: while
// identities are hidden the candidate is only "Candidate face N", and the view carries nothing more.

const DECISION_KEYS: Record<Decision, string> = { possible_match: 'P', no_match: 'N', inconclusive: 'I' };
const KEY_DECISIONS: Record<string, Decision> = { p: 'possible_match', n: 'no_match', i: 'inconclusive' };

/** A fixed locale and zone, so the server's HTML and the browser's first render agree. */
const DATE_FORMAT = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });

function describeError(error: ActionError): string {
  return error.eventId ? `${error.message} (reference ${error.eventId})` : error.message;
}

function faceLabel(candidate: BenchCandidate): string {
  return candidate.revealed ? `Candidate face ${candidate.position}: ${candidate.revealed.subjectName}` : `Candidate face ${candidate.position}`;
}

function latestOf(candidate: BenchCandidate): CommittedDecisionView | null {
  return candidate.committed[candidate.committed.length - 1] ?? null;
}

/** Enter belongs to whatever interactive element has focus (a button, a link, a summary), not to the bench. */
function isInteractive(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && target.closest('button, a[href], input, select, textarea, summary, [role=button], [contenteditable=true]') !== null;
}

export function ReviewBench({ view }: { view: BenchView }) {
  // Committing refreshes the page into committed mode; a fresh bench then starts from what the server holds.
  return <Bench key={`${view.searchId}:${view.isCommitted}`} view={view} />;
}

function Bench({ view }: { view: BenchView }) {
  const router = useRouter();
  const [state, dispatch] = useReducer(benchReducer, view, createBenchState);
  const strip = useRef<HTMLOListElement>(null);
  const isSending = useRef(false);
  const ids = useId();
  // Marks the bench interactive once React has taken over the server's HTML, so a script (or a test)
  // driving it knows its clicks and keys will be handled.
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => root.current?.setAttribute('data-hydrated', 'true'), []);

  const byId = new Map(view.candidates.map((candidate) => [candidate.id, candidate]));
  const ordered = state.candidates.map((entry) => byId.get(entry.id)).filter((candidate): candidate is BenchCandidate => candidate !== undefined);
  const current = ordered[state.currentIndex] ?? null;
  const isReadOnly = view.isCommitted;
  const isBusy = state.commit.status === 'committing' || state.commit.status === 'done';
  const decidedCount = isReadOnly ? ordered.filter((candidate) => candidate.committed.length > 0).length : selectDecidedCount(state);

  async function confirm() {
    if (isSending.current || state.dialog === 'none') return;
    isSending.current = true;
    // The input is built from the state the confirmation leads to, so it carries the no-match-in-list flag.
    const input = selectCommitInput(benchReducer(state, { type: 'confirmDialog' }));
    dispatch({ type: 'confirmDialog' });
    try {
      const result = await commitReview(input);
      if (result.ok) {
        dispatch({ type: 'commitSucceeded', outcome: result.data.outcome });
        router.refresh();
      } else {
        dispatch({ type: 'commitFailed', message: describeError(result.error) });
      }
    } catch {
      dispatch({ type: 'commitFailed', message: 'The server could not be reached. Your staged decisions are kept here; try again.' });
    } finally {
      isSending.current = false;
    }
  }

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      // An open dialog is modal and handles its own keys (Escape cancels it natively).
      if (state.dialog !== 'none' || event.defaultPrevented) return;
      if (event.key === 'Escape') {
        const target = event.target;
        // Escape leaves a text field first, so the shortcuts work again without reaching for the mouse.
        if (target instanceof HTMLElement && isKeyForFocusedControl(event) && target.matches('textarea, input, select, [contenteditable=true]')) {
          target.blur();
        } else {
          // Closing the checklist from one of its radios would drop focus to the page; its toggle keeps it near.
          if (state.openPanel === 'checklist' && target instanceof HTMLElement && target.closest('.bench-findings')) {
            document.querySelector<HTMLElement>('.bench-disclosure')?.focus();
          }
          dispatch({ type: 'escape' });
        }
        return;
      }
      if (event.ctrlKey || event.metaKey || event.altKey || isKeyForFocusedControl(event)) return;
      let action: BenchAction | null = null;
      const decision = KEY_DECISIONS[event.key.toLowerCase()];
      if (event.key === 'ArrowRight' && !event.shiftKey) action = { type: 'move', by: 1 };
      else if (event.key === 'ArrowLeft' && !event.shiftKey) action = { type: 'move', by: -1 };
      else if (event.key === 'Home') action = { type: 'select', index: 0 };
      else if (event.key === 'End') action = { type: 'select', index: state.candidates.length - 1 };
      else if (decision && !isReadOnly) action = { type: 'stageDecision', decision };
      else if (event.key.toLowerCase() === 'c' && !isReadOnly) action = { type: 'togglePanel', panel: 'checklist' };
      else if (event.key === 'Enter' && !isReadOnly && !isInteractive(event.target)) action = { type: 'requestCommit' };
      if (!action) return;
      event.preventDefault();
      dispatch(action);
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [state.dialog, state.openPanel, state.candidates.length, isReadOnly]);

  // When the arrows move the selection from a focused thumbnail, focus follows it (a roving focus).
  useEffect(() => {
    const list = strip.current;
    if (!list) return;
    const thumb = list.querySelector<HTMLElement>(`[data-index="${state.currentIndex}"]`);
    thumb?.scrollIntoView?.({ block: 'nearest', inline: 'nearest' });
    if (document.activeElement instanceof HTMLElement && list.contains(document.activeElement)) thumb?.focus();
  }, [state.currentIndex]);

  if (!current) {
    return (
      <p className="empty" data-testid="bench-empty">
        No candidates to review
      </p>
    );
  }

  const staged = state.staged[current.id];
  const shownProbeFaceId = selectShownProbeFaceId(view, state, current);
  const shownProbeFace = view.probeFaces.find((face) => face.id === shownProbeFaceId) ?? null;

  return (
    <div className="bench" data-testid="review-bench" ref={root}>
      <header className="bench-header">
        <p className="bench-summary" data-testid="bench-summary">
          <strong>
            {decidedCount} of {ordered.length} decided
          </strong>
        </p>
        <p className="muted">
          {view.stage === 'second' ? 'Second review' : 'First review'}
          {isReadOnly ? ' — committed; read-only.' : ordered.some((candidate) => candidate.revealed === null) ? ' — identities are hidden from you; compare the faces only.' : null}
        </p>
      </header>

      <div className="bench-body">
        <div className="bench-main">
          {view.probeFaces.length > 1 ? (
            <ProbeFaceSwitch view={view} candidate={current} shownId={shownProbeFaceId} onShow={(probeFaceId) => dispatch({ type: 'showProbeFace', probeFaceId })} />
          ) : null}
          <ComparisonView
            probe={shownProbeFace ?? view.probe}
            candidate={current.face}
            probeAlt={view.probeFaces.length > 1 && shownProbeFace ? shownProbeFace.label : 'Probe face'}
            candidateAlt={faceLabel(current)}
            isKeyboardEnabled={state.dialog === 'none'}
          />
          <nav aria-label="Candidate faces">
            <ol ref={strip} className="bench-strip">
              {ordered.map((candidate, index) => {
                const mark = isReadOnly ? latestOf(candidate)?.decision : state.staged[candidate.id]?.decision;
                return (
                  <li key={candidate.id}>
                    <button
                      type="button"
                      className="bench-thumb"
                      data-index={index}
                      aria-current={index === state.currentIndex ? 'true' : undefined}
                      // The decision goes in the description, not the name: the name stays "Candidate face N".
                      title={mark ? `${isReadOnly ? 'Committed' : 'Staged'}: ${DECISION_LABELS[mark]}` : isReadOnly ? 'No decision recorded' : 'Not decided yet'}
                      onClick={() => dispatch({ type: 'select', index })}
                    >
                      {/* eslint-disable-next-line @next/next/no-img-element -- authorised crop route, never optimised or cached */}
                      <img src={candidate.face.cropUrl} alt={faceLabel(candidate)} draggable={false} />
                      <span className="bench-thumb-position" aria-hidden="true">
                        {candidate.position}
                      </span>
                      {mark ? (
                        <span className={`bench-thumb-mark bench-mark-${mark}`} aria-hidden="true">
                          {DECISION_KEYS[mark]}
                        </span>
                      ) : null}
                    </button>
                  </li>
                );
              })}
            </ol>
          </nav>
        </div>

        <section className="bench-panel" aria-labelledby={`${ids}-current`} data-testid="bench-current">
          <h2 id={`${ids}-current`} className="bench-current-title">
            Candidate face {current.position}
          </h2>
          {current.revealed ? (
            <Identity candidate={current} />
          ) : (
            <p className="muted" data-testid="identity-hidden">
              Identity hidden from this review.
            </p>
          )}
          {isReadOnly ? (
            <CommittedRecord candidate={current} />
          ) : staged ? (
            <DecisionForm key={current.id} candidate={current} staged={staged} state={state} dispatch={dispatch} isDisabled={isBusy} />
          ) : null}
        </section>
      </div>

      {isReadOnly ? null : (
        <div className="bench-commit">
          <div className="row">
            <button type="button" className="button secondary" disabled={isBusy} onClick={() => dispatch({ type: 'requestNoMatchInList' })}>
              No match in this list
            </button>
            <button type="button" className="button" aria-keyshortcuts="Enter" disabled={isBusy} onClick={() => dispatch({ type: 'requestCommit' })}>
              Commit decisions
            </button>
          </div>
          {state.validation ? (
            <p className="alert error" role="alert" data-testid="bench-validation">
              {state.validation}
            </p>
          ) : null}
          {state.commit.status === 'error' ? (
            <p className="alert error" role="alert" data-testid="bench-commit-error">
              The decisions were not committed: {state.commit.message}
            </p>
          ) : null}
        </div>
      )}
      {/* Always present, so a screen reader announces the change when committing starts and ends. */}
      <p className="bench-status" role="status" data-testid="bench-status">
        {state.commit.status === 'committing' ? 'Committing decisions…' : state.commit.status === 'done' ? 'Decisions committed.' : ''}
      </p>

      <KeyLegend isReadOnly={isReadOnly} />

      {state.dialog === 'commit' ? (
        <ConfirmDialog title="Commit decisions?" onConfirm={confirm} onCancel={() => dispatch({ type: 'cancelDialog' })}>
          <CommitSummary state={state} />
        </ConfirmDialog>
      ) : null}
      {state.dialog === 'no-match-in-list' ? (
        <ConfirmDialog title="No match in this list?" onConfirm={confirm} onCancel={() => dispatch({ type: 'cancelDialog' })}>
          <NoMatchSummary state={state} />
        </ConfirmDialog>
      ) : null}
    </div>
  );
}

function Identity({ candidate }: { candidate: BenchCandidate }) {
  const revealed = candidate.revealed;
  if (!revealed) return null;
  return (
    <div className="bench-identity" data-testid="bench-identity">
      <strong>{revealed.subjectName}</strong>
      <div className="muted mono">{revealed.subjectReference}</div>
      <div className="muted">
        {revealed.watchlistName} · rank {revealed.rank}
      </div>
      {/* In words only: how often chance alone would score this high, never a "% match". */}
      <p className="chance" data-testid="bench-chance">
        {revealed.chance}
      </p>
      <p className="muted" data-testid="bench-calibration">
        {revealed.calibration}
      </p>
      <details>
        <summary className="muted">Scores</summary>
        <dl className="facts mono bench-scores">
          <dt>raw cosine</dt>
          <dd>{revealed.rawScore.toFixed(4)}</dd>
          <dt>FMR</dt>
          <dd>{revealed.falseMatchRate.toExponential(2)}</dd>
          <dt>expected FPIR</dt>
          <dd>{revealed.expectedFpir.toExponential(2)}</dd>
        </dl>
      </details>
    </div>
  );
}

function DecisionForm({ candidate, staged, state, dispatch, isDisabled }: {
  candidate: BenchCandidate;
  staged: StagedDecision;
  state: BenchState;
  dispatch: (action: BenchAction) => void;
  isDisabled: boolean;
}) {
  const ids = useId();
  const isRationaleRequired = staged.decision !== null && needsRationale(staged.decision);
  const isRationaleFlagged = state.validation !== null && isRationaleRequired && staged.rationale.trim().length < 3;
  const isChecklistOpen = state.openPanel === 'checklist';
  return (
    <div className="bench-decide">
      <div className="bench-decisions" role="group" aria-label="Decision">
        {DECISIONS.map((decision) => (
          <button
            key={decision}
            type="button"
            className={`bench-decision bench-decision-${decision}`}
            aria-pressed={staged.decision === decision}
            aria-keyshortcuts={DECISION_KEYS[decision]}
            title={`${DECISION_LABELS[decision]} (${DECISION_KEYS[decision]})`}
            disabled={isDisabled}
            onClick={() => dispatch({ type: 'stageDecision', decision })}
          >
            {DECISION_LABELS[decision]}
          </button>
        ))}
      </div>

      <div className="bench-rationale">
        <label htmlFor={`${ids}-rationale`}>Rationale</label>
        <textarea
          id={`${ids}-rationale`}
          rows={5}
          maxLength={RATIONALE_MAX}
          value={staged.rationale}
          disabled={isDisabled}
          aria-describedby={`${ids}-rationale-hint`}
          aria-required={isRationaleRequired}
          aria-invalid={isRationaleFlagged || undefined}
          onChange={(event) => dispatch({ type: 'editRationale', rationale: event.target.value })}
        />
        <p id={`${ids}-rationale-hint`} className={isRationaleFlagged ? 'field-error' : 'muted bench-hint'}>
          {isRationaleRequired
            ? 'Required for this decision: say what you compared and what you saw.'
            : 'Required for a possible match or an inconclusive decision; optional for no match.'}
        </p>
      </div>

      <div className="bench-checklist">
        <button
          type="button"
          className="bench-disclosure"
          aria-expanded={isChecklistOpen}
          aria-controls={`${ids}-checklist`}
          aria-keyshortcuts="C"
          onClick={() => dispatch({ type: 'togglePanel', panel: 'checklist' })}
        >
          Feature checklist <span className="muted">({Object.keys(staged.checklist).length} of {FISWG_COMPONENTS.length} recorded)</span>
        </button>
        <div id={`${ids}-checklist`} hidden={!isChecklistOpen} className="bench-findings">
          <p className="muted bench-hint">Optional. Record what each facial component shows, after FISWG.</p>
          {FISWG_COMPONENTS.map((component) => {
            const finding = staged.checklist[component.id] ?? null;
            // Radio names use the position, not the candidate's id, so the HTML carries nothing that could identify it.
            const name = `fiswg-${candidate.position}-${component.id}`;
            const set = (value: ComponentFinding | null) => dispatch({ type: 'setFinding', component: component.id, finding: value });
            return (
              <div key={component.id} className="bench-finding" role="radiogroup" aria-labelledby={`${ids}-${component.id}`}>
                <span id={`${ids}-${component.id}`} className="bench-finding-label">
                  {component.label}
                </span>
                {COMPONENT_FINDINGS.map((value) => (
                  <label key={value} className="bench-finding-option">
                    <input type="radio" name={name} checked={finding === value} disabled={isDisabled} onChange={() => set(value)} />
                    {FINDING_LABELS[value]}
                  </label>
                ))}
                <label className="bench-finding-option" title="Not recorded">
                  <input type="radio" name={name} aria-label="Not recorded" checked={finding === null} disabled={isDisabled} onChange={() => set(null)} />
                  <span aria-hidden="true">—</span>
                </label>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

function formatWhen(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${DATE_FORMAT.format(date)} UTC`;
}

function Findings({ checklist }: { checklist: Record<string, string> }) {
  const recorded = FISWG_COMPONENTS.filter((component) => checklist[component.id] !== undefined);
  if (recorded.length === 0) return <p className="muted">No feature findings recorded.</p>;
  return (
    <dl className="facts bench-findings-list">
      {recorded.map((component) => {
        const value = checklist[component.id]!;
        return (
          <div key={component.id} className="bench-findings-row">
            <dt>{component.label}</dt>
            <dd>{(FINDING_LABELS as Record<string, string>)[value] ?? value}</dd>
          </div>
        );
      })}
    </dl>
  );
}

function CommittedRecord({ candidate }: { candidate: BenchCandidate }) {
  const latest = latestOf(candidate);
  if (!latest) return <p className="muted" data-testid="bench-committed">No decision recorded for this candidate.</p>;
  const earlier = candidate.committed.slice(0, -1).reverse();
  return (
    <div className="bench-committed" data-testid="bench-committed">
      <p className="bench-committed-decision">
        <strong data-testid="bench-committed-decision">{DECISION_LABELS[latest.decision]}</strong>{' '}
        {earlier.length > 0 ? <span className="badge warn">corrected</span> : null}
      </p>
      <dl className="facts">
        <dt>Rationale</dt>
        <dd>{latest.rationale || '—'}</dd>
        <dt>Reviewer</dt>
        <dd>
          {latest.reviewerName}, <time dateTime={latest.createdAt}>{formatWhen(latest.createdAt)}</time>
        </dd>
        {latest.correctionReason ? (
          <>
            <dt>Why corrected</dt>
            <dd>{latest.correctionReason}</dd>
          </>
        ) : null}
      </dl>
      <h3 className="bench-subtitle">Feature findings</h3>
      <Findings checklist={latest.checklist} />
      {earlier.length > 0 ? (
        <details className="bench-history">
          <summary>Earlier decisions ({earlier.length})</summary>
          <ol>
            {earlier.map((record) => (
              <li key={record.createdAt}>
                <strong>{DECISION_LABELS[record.decision]}</strong> — {record.reviewerName}, <time dateTime={record.createdAt}>{formatWhen(record.createdAt)}</time>
                <div className="bench-history-rationale">{record.rationale || '—'}</div>
                {record.correctionReason ? <div className="muted">Corrected because: {record.correctionReason}</div> : null}
              </li>
            ))}
          </ol>
        </details>
      ) : null}
    </div>
  );
}

function listPositions(positions: number[]): string {
  return positions.length === 1 ? `candidate face ${positions[0]}` : `candidate faces ${positions.slice(0, -1).join(', ')} and ${positions[positions.length - 1]}`;
}

function CommitSummary({ state }: { state: BenchState }) {
  const counts = selectDecisionCounts(state);
  const parts = DECISIONS.filter((decision) => counts[decision] > 0).map((decision) => `${counts[decision]} ${DECISION_LABELS[decision].toLowerCase()}`);
  return (
    <>
      <p>
        Your decisions on all {state.candidates.length} candidate faces will be committed: {parts.join(', ')}.
      </p>
      <p className="muted">A committed decision is not edited afterwards; a correction is recorded beside it with the reason.</p>
    </>
  );
}

function NoMatchSummary({ state }: { state: BenchState }) {
  const overridden = selectOverriddenByNoMatch(state);
  return (
    <>
      <p>
        Every one of the {state.candidates.length} candidate faces will be recorded as no match, as one outcome: the person in the probe is
        not in this list.
      </p>
      {overridden.length > 0 ? (
        <p className="alert error">This replaces the decisions you staged on {listPositions(overridden)}. Cancel keeps them.</p>
      ) : null}
      <p className="muted">A committed decision is not edited afterwards; a correction is recorded beside it with the reason.</p>
    </>
  );
}


function KeyLegend({ isReadOnly }: { isReadOnly: boolean }) {
  const keys: { keyNames: ReactNode; meaning: string }[] = [
    { keyNames: <><kbd>←</kbd> <kbd>→</kbd></>, meaning: 'previous / next candidate' },
    ...(isReadOnly
      ? []
      : [
          { keyNames: <><kbd>P</kbd> <kbd>N</kbd> <kbd>I</kbd></>, meaning: 'possible match / no match / inconclusive' },
          { keyNames: <kbd>C</kbd>, meaning: 'show or hide the feature checklist' },
          { keyNames: <kbd>Enter</kbd>, meaning: 'commit decisions (asks first)' },
        ]),
    { keyNames: <kbd>Esc</kbd>, meaning: 'leave a text field, close a dialog or panel' },
    { keyNames: <><kbd>+</kbd> <kbd>−</kbd> <kbd>0</kbd></>, meaning: 'zoom both faces, reset' },
    { keyNames: <><kbd>Shift</kbd>+arrows</>, meaning: 'pan both faces' },
  ];
  return (
    <section className="bench-legend" aria-label="Keyboard shortcuts">
      <dl>
        {keys.map(({ keyNames, meaning }) => (
          <div key={meaning} className="bench-legend-row">
            <dt>{keyNames}</dt>
            <dd>{meaning}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

/**
 * Which face of a multi-face probe is beside the candidate: by default the one that gave the candidate
 * its score; the reviewer may compare with any other. "Scored best" is said only once identities (and
 * scores) are the reviewer's to see; before that the default is simply the face shown.
 */
function ProbeFaceSwitch({ view, candidate, shownId, onShow }: { view: BenchView; candidate: BenchCandidate; shownId: string | null; onShow: (probeFaceId: string) => void }) {
  return (
    <div className="row" role="group" aria-label={`Compare ${faceLabel(candidate)} with probe face`} data-testid="probe-face-switch">
      <span className="muted">Compare with:</span>
      {view.probeFaces.map((face) => {
        const isBest = candidate.revealed !== null && face.id === candidate.bestProbeFaceId;
        return (
          <button key={face.id} type="button" className="bench-thumb" aria-pressed={face.id === shownId} onClick={() => onShow(face.id)}>
            {/* eslint-disable-next-line @next/next/no-img-element -- authorised crop route, never optimised or cached */}
            <img src={face.cropUrl} alt={`${face.label}, quality ${face.qualityVerdict}${isBest ? ', scored best for this candidate' : ''}`} draggable={false} />
          </button>
        );
      })}
    </div>
  );
}

