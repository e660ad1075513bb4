import type { BenchCandidate, BenchView } from '@/lib/shared/review/bench-view';
import type { ComponentFinding, FiswgComponentId } from '@/lib/shared/review/fiswg-components';
import { type Checklist, type CommitReviewInput, type Decision, needsRationale } from '@/lib/shared/schemas/review';

// The review bench as a state machine, kept free of React so every transition can be tested on its own.
// Decisions are staged per candidate and only leave the browser on an explicit, confirmed commit: a
// reviewer can revisit any candidate until then, and a failed commit loses nothing they wrote.

/** The server refuses a rationale shorter than this (commitReviewSchema); refusing here saves a round trip. */
const RATIONALE_MIN = 3;

export type StagedDecision = { decision: Decision | null; rationale: string; checklist: Checklist };

export type BenchDialog = 'none' | 'commit' | 'no-match-in-list';

export type CommitStatus =
  | { status: 'idle' }
  | { status: 'committing' }
  | { status: 'error'; message: string }
  | { status: 'done'; outcome: string };

export type BenchPanel = 'checklist';

export type BenchState = {
  searchId: string;
  /** In the order shown to this reviewer; positions are what messages name (never identities). */
  candidates: { id: string; position: number }[];
  currentIndex: number;
  staged: Record<string, StagedDecision>;
  openPanel: BenchPanel | null;
  dialog: BenchDialog;
  commit: CommitStatus;
  /** Why the last commit request was refused; re-checked on every edit so it clears once fixed. */
  validation: string | null;
  isReadOnly: boolean;
  /** The commit in flight (or last tried) came from "No match in this list". */
  isNoMatchInList: boolean;
  /**
   * What was staged before "No match in this list" overwrote it, so that cancelling the confirmation
   * gives back rationales already written rather than silently discarding them.
   */
  stagedBeforeNoMatch: Record<string, StagedDecision> | null;
  /**
   * The probe face the reviewer chose to compare with each candidate, where they changed it; otherwise
   * the one that scored best for that candidate is shown (selectShownProbeFaceId).
   */
  probeFaceChoice: Record<string, string>;
};

export type BenchAction =
  | { type: 'move'; by: number }
  | { type: 'select'; index: number }
  /** Compare the current candidate with another face of a multi-face probe. */
  | { type: 'showProbeFace'; probeFaceId: string }
  | { type: 'stageDecision'; decision: Decision; candidateId?: string }
  | { type: 'editRationale'; rationale: string; candidateId?: string }
  | { type: 'setFinding'; component: FiswgComponentId; finding: ComponentFinding | null; candidateId?: string }
  | { type: 'togglePanel'; panel: BenchPanel }
  | { type: 'closePanel' }
  | { type: 'requestCommit' }
  | { type: 'requestNoMatchInList' }
  | { type: 'cancelDialog' }
  | { type: 'confirmDialog' }
  | { type: 'commitSucceeded'; outcome: string }
  | { type: 'commitFailed'; message: string }
  /** Escape: the innermost open thing closes first — the dialog, then a panel. */
  | { type: 'escape' };

const emptyStaged = (): StagedDecision => ({ decision: null, rationale: '', checklist: {} });

export function createBenchState(view: Pick<BenchView, 'searchId' | 'candidates' | 'isCommitted'>): BenchState {
  const candidates = [...view.candidates].sort((a, b) => a.position - b.position).map(({ id, position }) => ({ id, position }));
  return {
    searchId: view.searchId,
    candidates,
    currentIndex: 0,
    staged: Object.fromEntries(candidates.map((candidate) => [candidate.id, emptyStaged()])),
    openPanel: 'checklist',
    dialog: 'none',
    commit: { status: 'idle' },
    validation: null,
    isReadOnly: view.isCommitted,
    isNoMatchInList: false,
    stagedBeforeNoMatch: null,
    probeFaceChoice: {},
  };
}

/** Staging is closed while read-only, while a dialog asks for confirmation, and once a commit is under way. */
function canStage(state: BenchState): boolean {
  return !state.isReadOnly && state.dialog === 'none' && state.commit.status !== 'committing' && state.commit.status !== 'done';
}

function canRequest(state: BenchState): boolean {
  return canStage(state) && state.candidates.length > 0;
}

function updateStaged(state: BenchState, candidateId: string | undefined, change: (staged: StagedDecision) => StagedDecision): BenchState {
  if (!canStage(state)) return state;
  const id = candidateId ?? state.candidates[state.currentIndex]?.id;
  const previous = id === undefined ? undefined : state.staged[id];
  if (id === undefined || previous === undefined) return state;
  const next: BenchState = { ...state, staged: { ...state.staged, [id]: change(previous) } };
  return next.validation === null ? next : { ...next, validation: validateCommit(next) };
}

function listPositions(positions: number[]): string {
  if (positions.length === 1) return `candidate face ${positions[0]}`;
  return `candidate faces ${positions.slice(0, -1).join(', ')} and ${positions[positions.length - 1]}`;
}

function hasRationale(rationale: string): boolean {
  return rationale.trim().length >= RATIONALE_MIN;
}

/** Why the staged decisions cannot be committed yet, naming candidates by position; null when they can. */
export function validateCommit(state: BenchState): string | null {
  const undecided = state.candidates.filter((candidate) => state.staged[candidate.id]?.decision == null).map((candidate) => candidate.position);
  const unexplained = state.candidates
    .filter((candidate) => {
      const staged = state.staged[candidate.id];
      return staged?.decision != null && needsRationale(staged.decision) && !hasRationale(staged.rationale);
    })
    .map((candidate) => candidate.position);
  const problems = [
    undecided.length > 0 ? `Decide on ${listPositions(undecided)}.` : null,
    unexplained.length > 0 ? `Write a rationale for ${listPositions(unexplained)}: a possible match or an inconclusive decision must be explained.` : null,
  ].filter((problem): problem is string => problem !== null);
  return problems.length === 0 ? null : problems.join(' ');
}

export function benchReducer(state: BenchState, action: BenchAction): BenchState {
  const count = state.candidates.length;
  switch (action.type) {
    case 'move':
      // Wraps, so a reviewer walking the list with → comes back round to the first face.
      if (count === 0 || state.dialog !== 'none') return state;
      return { ...state, currentIndex: (((state.currentIndex + action.by) % count) + count) % count };
    case 'select':
      if (count === 0 || state.dialog !== 'none') return state;
      return { ...state, currentIndex: Math.max(0, Math.min(count - 1, Math.trunc(action.index))) };
    case 'showProbeFace': {
      const current = state.candidates[state.currentIndex];
      if (!current || state.probeFaceChoice[current.id] === action.probeFaceId) return state;
      return { ...state, probeFaceChoice: { ...state.probeFaceChoice, [current.id]: action.probeFaceId } };
    }
    case 'stageDecision':
      return updateStaged(state, action.candidateId, (staged) => ({ ...staged, decision: action.decision }));
    case 'editRationale':
      return updateStaged(state, action.candidateId, (staged) => ({ ...staged, rationale: action.rationale }));
    case 'setFinding':
      return updateStaged(state, action.candidateId, (staged) => {
        const { [action.component]: _previous, ...rest } = staged.checklist;
        return { ...staged, checklist: action.finding === null ? rest : { ...rest, [action.component]: action.finding } };
      });
    case 'togglePanel':
      return { ...state, openPanel: state.openPanel === action.panel ? null : action.panel };
    case 'closePanel':
      return { ...state, openPanel: null };
    case 'requestCommit': {
      if (!canRequest(state)) return state;
      const validation = validateCommit(state);
      // A standing commit error has been read: trying again replaces it with the new attempt's outcome.
      const commit: CommitStatus = state.commit.status === 'error' ? { status: 'idle' } : state.commit;
      if (validation !== null) return { ...state, commit, validation };
      return { ...state, commit, validation: null, dialog: 'commit' };
    }
    case 'requestNoMatchInList': {
      if (!canRequest(state)) return state;
      // Staged at once so the reviewer sees, behind the confirmation, exactly what would be committed.
      const staged = Object.fromEntries(
        Object.entries(state.staged).map(([id, previous]) => [id, { ...previous, decision: 'no_match' as const }]),
      );
      const commit: CommitStatus = state.commit.status === 'error' ? { status: 'idle' } : state.commit;
      return { ...state, staged, commit, validation: null, dialog: 'no-match-in-list', stagedBeforeNoMatch: state.staged };
    }
    case 'cancelDialog':
      if (state.dialog === 'none') return state;
      return {
        ...state,
        dialog: 'none',
        staged: state.dialog === 'no-match-in-list' && state.stagedBeforeNoMatch !== null ? state.stagedBeforeNoMatch : state.staged,
        stagedBeforeNoMatch: null,
      };
    case 'confirmDialog':
      if (state.dialog === 'none' || state.commit.status === 'committing' || state.commit.status === 'done') return state;
      return {
        ...state,
        dialog: 'none',
        commit: { status: 'committing' },
        isNoMatchInList: state.dialog === 'no-match-in-list',
        stagedBeforeNoMatch: null,
      };
    case 'commitSucceeded':
      if (state.commit.status !== 'committing') return state;
      return { ...state, commit: { status: 'done', outcome: action.outcome } };
    case 'commitFailed':
      // The staged decisions stay as they were: the reviewer fixes the cause or retries, and rewrites nothing.
      if (state.commit.status !== 'committing') return state;
      return { ...state, commit: { status: 'error', message: action.message } };
    case 'escape':
      if (state.dialog !== 'none') return benchReducer(state, { type: 'cancelDialog' });
      if (state.openPanel !== null) return { ...state, openPanel: null };
      return state;
  }
}

export function selectCurrentCandidateId(state: BenchState): string | null {
  return state.candidates[state.currentIndex]?.id ?? null;
}

/**
 * The probe face compared with a candidate: the reviewer's choice for it, else the face that gave the
 * candidate its score (not told to a blind reviewer), else the primary face (a search of one face, or one recorded before multi-face
 * probes).
 */
export function selectShownProbeFaceId(view: Pick<BenchView, 'probeFaces'>, state: Pick<BenchState, 'probeFaceChoice'>, candidate: Pick<BenchCandidate, 'id' | 'bestProbeFaceId'>): string | null {
  const known = (id: string | null | undefined) => (id && view.probeFaces.some((face) => face.id === id) ? id : null);
  return known(state.probeFaceChoice[candidate.id]) ?? known(candidate.bestProbeFaceId) ?? view.probeFaces[0]?.id ?? null;
}

export function selectDecidedCount(state: BenchState): number {
  return state.candidates.filter((candidate) => state.staged[candidate.id]?.decision != null).length;
}

/** Positions whose staged possible match or inconclusive "No match in this list" would overwrite. */
export function selectOverriddenByNoMatch(state: BenchState): number[] {
  const before = state.stagedBeforeNoMatch;
  if (before === null) return [];
  return state.candidates
    .filter((candidate) => {
      const decision = before[candidate.id]?.decision;
      return decision != null && decision !== 'no_match';
    })
    .map((candidate) => candidate.position);
}

/** The counts of each staged decision, for the confirmation's summary. */
export function selectDecisionCounts(state: BenchState): Record<Decision, number> {
  const counts: Record<Decision, number> = { possible_match: 0, no_match: 0, inconclusive: 0 };
  for (const candidate of state.candidates) {
    const decision = state.staged[candidate.id]?.decision;
    if (decision != null) counts[decision] += 1;
  }
  return counts;
}

/** The commitReview input for what is staged; undecided candidates are left out (validation refuses them first). */
export function selectCommitInput(state: BenchState): CommitReviewInput {
  const decisions = state.candidates.flatMap((candidate) => {
    const staged = state.staged[candidate.id];
    if (staged?.decision == null) return [];
    return [{ candidateId: candidate.id, decision: staged.decision, rationale: staged.rationale.trim(), checklist: staged.checklist }];
  });
  return { searchId: state.searchId, decisions, isNoMatchInList: state.isNoMatchInList };
}
