import { describe, expect, it } from 'vitest';
import {
  type BenchAction,
  type BenchState,
  benchReducer,
  createBenchState,
  selectShownProbeFaceId,
  selectCommitInput,
  selectCurrentCandidateId,
  selectDecidedCount,
  selectDecisionCounts,
  selectOverriddenByNoMatch,
  validateCommit,
} from '@/components/review/review-bench-state';
import { commitReviewSchema } from '@/lib/shared/schemas/review';
import type { BenchCandidate } from '@/lib/shared/review/bench-view';

const SEARCH_ID = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const IDS = ['3f1b2c4d-0000-4000-8000-000000000001', '3f1b2c4d-0000-4000-8000-000000000002', '3f1b2c4d-0000-4000-8000-000000000003'];

function candidate(id: string, position: number): BenchCandidate {
  return { id, position, bestProbeFaceId: null, face: { cropUrl: `/crops/${position}`, landmarks: null }, revealed: null, committed: [] };
}

function bench(options: { isCommitted?: boolean } = {}): BenchState {
  // Handed over out of order on purpose: the bench follows `position`, not array order.
  return createBenchState({ searchId: SEARCH_ID, isCommitted: options.isCommitted ?? false, candidates: [candidate(IDS[2]!, 3), candidate(IDS[0]!, 1), candidate(IDS[1]!, 2)] });
}

const run = (state: BenchState, ...actions: BenchAction[]) => actions.reduce(benchReducer, state);

/** Every candidate decided and explained, ready to commit. */
function decidedBench(): BenchState {
  return run(
    bench(),
    { type: 'stageDecision', decision: 'possible_match' },
    { type: 'editRationale', rationale: 'Same scar over the left eyebrow; ear shape agrees.' },
    { type: 'move', by: 1 },
    { type: 'stageDecision', decision: 'no_match' },
    { type: 'move', by: 1 },
    { type: 'stageDecision', decision: 'inconclusive' },
    { type: 'editRationale', rationale: 'Probe too blurred to compare the eyes.' },
  );
}

describe('review bench state', () => {
  it('starts on the first candidate shown, nothing staged, nothing open but the checklist', () => {
    const state = bench();
    expect(state.candidates.map((c) => c.position)).toEqual([1, 2, 3]);
    expect(selectCurrentCandidateId(state)).toBe(IDS[0]);
    expect(selectDecidedCount(state)).toBe(0);
    expect(state.dialog).toBe('none');
    expect(state.commit).toEqual({ status: 'idle' });
    expect(state.openPanel).toBe('checklist');
  });

  describe('navigation', () => {
    it('wraps when moving past either end', () => {
      expect(run(bench(), { type: 'move', by: -1 }).currentIndex).toBe(2);
      expect(run(bench(), { type: 'move', by: 1 }, { type: 'move', by: 1 }, { type: 'move', by: 1 }).currentIndex).toBe(0);
      expect(run(bench(), { type: 'move', by: 7 }).currentIndex).toBe(1);
    });

    it('clamps a selected index into the list', () => {
      expect(run(bench(), { type: 'select', index: 99 }).currentIndex).toBe(2);
      expect(run(bench(), { type: 'select', index: -4 }).currentIndex).toBe(0);
      expect(run(bench(), { type: 'select', index: 1 }).currentIndex).toBe(1);
    });

    it('does nothing with no candidates and stays put while a dialog is open', () => {
      const empty = createBenchState({ searchId: SEARCH_ID, isCommitted: false, candidates: [] });
      expect(run(empty, { type: 'move', by: 1 }).currentIndex).toBe(0);
      expect(selectCurrentCandidateId(empty)).toBeNull();
      const asking = run(decidedBench(), { type: 'requestCommit' });
      expect(run(asking, { type: 'move', by: 1 }).currentIndex).toBe(asking.currentIndex);
    });
  });

  describe('staging', () => {
    it('stages a decision, rationale and checklist on the current candidate only', () => {
      const state = run(
        bench(),
        { type: 'move', by: 1 },
        { type: 'stageDecision', decision: 'inconclusive' },
        { type: 'editRationale', rationale: 'Half the face is in shadow.' },
        { type: 'setFinding', component: 'eyes', finding: 'similar' },
        { type: 'setFinding', component: 'ears', finding: 'not_visible' },
      );
      expect(state.staged[IDS[1]!]).toEqual({ decision: 'inconclusive', rationale: 'Half the face is in shadow.', checklist: { eyes: 'similar', ears: 'not_visible' } });
      expect(state.staged[IDS[0]!]).toEqual({ decision: null, rationale: '', checklist: {} });
      expect(selectDecidedCount(state)).toBe(1);
    });

    it('clears a checklist finding back to unset', () => {
      const state = run(bench(), { type: 'setFinding', component: 'nose', finding: 'dissimilar' }, { type: 'setFinding', component: 'nose', finding: null });
      expect(state.staged[IDS[0]!]!.checklist).toEqual({});
    });

    it('can stage a named candidate other than the current one', () => {
      const state = run(bench(), { type: 'stageDecision', decision: 'no_match', candidateId: IDS[2] });
      expect(state.staged[IDS[2]!]!.decision).toBe('no_match');
      expect(state.currentIndex).toBe(0);
    });

    it('refuses every change when the review is already committed', () => {
      const state = bench({ isCommitted: true });
      expect(run(state, { type: 'stageDecision', decision: 'possible_match' }, { type: 'requestCommit' }, { type: 'requestNoMatchInList' })).toEqual(state);
      // Reading is still possible.
      expect(run(state, { type: 'move', by: 1 }).currentIndex).toBe(1);
    });
  });

  describe('validation', () => {
    it('refuses to commit while candidates are undecided, naming their positions', () => {
      const state = run(bench(), { type: 'stageDecision', decision: 'no_match' }, { type: 'requestCommit' });
      expect(state.dialog).toBe('none');
      expect(state.validation).toBe('Decide on candidate faces 2 and 3.');
    });

    it('refuses a possible match or inconclusive without a rationale, naming the positions', () => {
      const state = run(
        bench(),
        { type: 'stageDecision', decision: 'possible_match' },
        { type: 'editRationale', rationale: '  ok ' },
        { type: 'move', by: 1 },
        { type: 'stageDecision', decision: 'no_match' },
        { type: 'move', by: 1 },
        { type: 'stageDecision', decision: 'inconclusive' },
        { type: 'requestCommit' },
      );
      expect(state.dialog).toBe('none');
      expect(state.commit.status).toBe('idle');
      expect(state.validation).toMatch(/^Write a rationale for candidate faces 1 and 3:/);
    });

    it('does not ask for a rationale for a no match', () => {
      const state = run(bench(), ...IDS.map((candidateId): BenchAction => ({ type: 'stageDecision', decision: 'no_match', candidateId })));
      expect(validateCommit(state)).toBeNull();
    });

    it('updates the message as the reviewer fixes things and clears it once fixed', () => {
      let state = run(bench(), { type: 'stageDecision', decision: 'possible_match' }, { type: 'requestCommit' });
      expect(state.validation).toContain('candidate faces 2 and 3');
      state = run(state, { type: 'stageDecision', decision: 'no_match', candidateId: IDS[1] }, { type: 'stageDecision', decision: 'no_match', candidateId: IDS[2] });
      expect(state.validation).toBe('Write a rationale for candidate face 1: a possible match or an inconclusive decision must be explained.');
      state = run(state, { type: 'editRationale', rationale: 'Nose bridge and lip line agree.' });
      expect(state.validation).toBeNull();
    });
  });

  describe('commit', () => {
    it('asks for confirmation, then commits what is staged', () => {
      let state = run(decidedBench(), { type: 'requestCommit' });
      expect(state.dialog).toBe('commit');
      expect(selectDecisionCounts(state)).toEqual({ possible_match: 1, no_match: 1, inconclusive: 1 });
      state = run(state, { type: 'confirmDialog' });
      expect(state.dialog).toBe('none');
      expect(state.commit).toEqual({ status: 'committing' });
      const input = selectCommitInput(state);
      expect(input).toEqual({
        searchId: SEARCH_ID,
        isNoMatchInList: false,
        decisions: [
          { candidateId: IDS[0], decision: 'possible_match', rationale: 'Same scar over the left eyebrow; ear shape agrees.', checklist: {} },
          { candidateId: IDS[1], decision: 'no_match', rationale: '', checklist: {} },
          { candidateId: IDS[2], decision: 'inconclusive', rationale: 'Probe too blurred to compare the eyes.', checklist: {} },
        ],
      });
      // The input is what the server's schema accepts.
      expect(commitReviewSchema.safeParse(input).success).toBe(true);
      expect(run(state, { type: 'commitSucceeded', outcome: 'possible_match' }).commit).toEqual({ status: 'done', outcome: 'possible_match' });
    });

    it('cancelling the confirmation changes nothing staged', () => {
      const before = run(decidedBench(), { type: 'requestCommit' });
      const after = run(before, { type: 'cancelDialog' });
      expect(after.dialog).toBe('none');
      expect(after.staged).toEqual(before.staged);
      expect(after.commit.status).toBe('idle');
    });

    it('keeps every staged decision when the commit fails, and allows a retry', () => {
      const committing = run(decidedBench(), { type: 'requestCommit' }, { type: 'confirmDialog' });
      const failed = run(committing, { type: 'commitFailed', message: 'The audit log is unavailable.' });
      expect(failed.commit).toEqual({ status: 'error', message: 'The audit log is unavailable.' });
      expect(failed.staged).toEqual(committing.staged);
      const retried = run(failed, { type: 'requestCommit' });
      expect(retried.dialog).toBe('commit');
      expect(retried.commit).toEqual({ status: 'idle' });
      expect(run(retried, { type: 'confirmDialog' }).commit.status).toBe('committing');
    });

    it('locks staging and ignores a second confirmation while committing and once done', () => {
      const committing = run(decidedBench(), { type: 'requestCommit' }, { type: 'confirmDialog' });
      expect(run(committing, { type: 'stageDecision', decision: 'no_match', candidateId: IDS[0] })).toEqual(committing);
      expect(run(committing, { type: 'requestCommit' })).toEqual(committing);
      const done = run(committing, { type: 'commitSucceeded', outcome: 'x' });
      expect(run(done, { type: 'editRationale', rationale: 'late edit' })).toEqual(done);
      expect(run(done, { type: 'commitFailed', message: 'stale' })).toEqual(done);
    });

    it('ignores results that arrive when nothing is being committed', () => {
      const state = decidedBench();
      expect(run(state, { type: 'commitSucceeded', outcome: 'x' })).toEqual(state);
      expect(run(state, { type: 'commitFailed', message: 'x' })).toEqual(state);
    });
  });

  describe('no match in this list', () => {
    it('stages no match on every candidate, asks, then commits as one outcome', () => {
      let state = run(bench(), { type: 'requestNoMatchInList' });
      expect(state.dialog).toBe('no-match-in-list');
      expect(Object.values(state.staged).map((staged) => staged.decision)).toEqual(['no_match', 'no_match', 'no_match']);
      state = run(state, { type: 'confirmDialog' });
      expect(state.commit.status).toBe('committing');
      const input = selectCommitInput(state);
      expect(input.isNoMatchInList).toBe(true);
      expect(input.decisions.map((decision) => decision.decision)).toEqual(['no_match', 'no_match', 'no_match']);
      expect(commitReviewSchema.safeParse(input).success).toBe(true);
    });

    it('names what it would overwrite and gives it back on cancel', () => {
      const staged = run(
        bench(),
        { type: 'stageDecision', decision: 'possible_match' },
        { type: 'editRationale', rationale: 'Matching mole under the right eye.' },
        { type: 'stageDecision', decision: 'inconclusive', candidateId: IDS[2] },
      );
      const asking = run(staged, { type: 'requestNoMatchInList' });
      expect(selectOverriddenByNoMatch(asking)).toEqual([1, 3]);
      // The rationale already written survives the overwrite of the decision.
      expect(asking.staged[IDS[0]!]!.rationale).toBe('Matching mole under the right eye.');
      const cancelled = run(asking, { type: 'escape' });
      expect(cancelled.dialog).toBe('none');
      expect(cancelled.staged).toEqual(staged.staged);
      expect(cancelled.stagedBeforeNoMatch).toBeNull();
    });

    it('clears any standing validation message', () => {
      const state = run(bench(), { type: 'requestCommit' }, { type: 'requestNoMatchInList' });
      expect(state.validation).toBeNull();
    });

    it('a plain commit afterwards is not flagged as no match in this list', () => {
      const failed = run(bench(), { type: 'requestNoMatchInList' }, { type: 'confirmDialog' }, { type: 'commitFailed', message: 'Offline' });
      expect(selectCommitInput(failed).isNoMatchInList).toBe(true);
      const plain = run(failed, { type: 'requestCommit' }, { type: 'confirmDialog' });
      expect(selectCommitInput(plain).isNoMatchInList).toBe(false);
    });
  });

  describe('escape and panels', () => {
    it('closes the dialog first, then the open panel', () => {
      let state = run(decidedBench(), { type: 'requestCommit' });
      state = run(state, { type: 'escape' });
      expect(state.dialog).toBe('none');
      expect(state.openPanel).toBe('checklist');
      state = run(state, { type: 'escape' });
      expect(state.openPanel).toBeNull();
      expect(run(state, { type: 'escape' })).toEqual(state);
      expect(run(state, { type: 'togglePanel', panel: 'checklist' }).openPanel).toBe('checklist');
    });
  });
});

describe('the probe face compared with each candidate', () => {
  const PROBE_FACES = ['9a000000-0000-4000-8000-000000000001', '9a000000-0000-4000-8000-000000000002', '9a000000-0000-4000-8000-000000000003'];
  const view = { probeFaces: PROBE_FACES.map((id, position) => ({ id, label: `Probe face ${position + 1}`, qualityVerdict: 'good', cropUrl: `/probe/${id}`, landmarks: null })) };
  const scored = (id: string, bestProbeFaceId: string | null) => ({ id, bestProbeFaceId });

  it('shows the face that scored best for the candidate, then the primary face where none is recorded', () => {
    const state = bench();
    expect(selectShownProbeFaceId(view, state, scored(IDS[0]!, PROBE_FACES[2]!))).toBe(PROBE_FACES[2]);
    expect(selectShownProbeFaceId(view, state, scored(IDS[0]!, null))).toBe(PROBE_FACES[0]);
    // A face id not among the probe's faces is not shown.
    expect(selectShownProbeFaceId(view, state, scored(IDS[0]!, IDS[1]!))).toBe(PROBE_FACES[0]);
    expect(selectShownProbeFaceId({ probeFaces: [] }, state, scored(IDS[0]!, null))).toBeNull();
  });

  it('switches the current candidate to another face, keeping each candidate’s own choice', () => {
    let state = run(bench(), { type: 'showProbeFace', probeFaceId: PROBE_FACES[1]! });
    expect(selectShownProbeFaceId(view, state, scored(IDS[0]!, PROBE_FACES[2]!))).toBe(PROBE_FACES[1]);
    // The next candidate still shows its own best face.
    state = run(state, { type: 'move', by: 1 });
    expect(selectShownProbeFaceId(view, state, scored(IDS[1]!, PROBE_FACES[2]!))).toBe(PROBE_FACES[2]);
    state = run(state, { type: 'move', by: -1 });
    expect(selectShownProbeFaceId(view, state, scored(IDS[0]!, PROBE_FACES[2]!))).toBe(PROBE_FACES[1]);
    expect(run(state, { type: 'showProbeFace', probeFaceId: PROBE_FACES[1]! })).toBe(state);
  });
});

