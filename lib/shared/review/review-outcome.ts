import type { Decision } from '@/lib/shared/schemas/review';

// How a search's human review stands, derived from the decisions alone so the queue state, the case
// page and the supervisor's desk can never disagree with the decisions on record.

export type SearchReviewState =
  | 'awaiting_first_review'
  | 'no_match_in_list'
  | 'no_possible_match'
  | 'awaiting_second_review'
  | 'confirmed'
  | 'disputed'
  | 'resolved';

export const REVIEW_STATE_LABELS: Record<SearchReviewState, string> = {
  awaiting_first_review: 'Awaiting first review',
  no_match_in_list: 'No match in this list',
  no_possible_match: 'No possible match',
  awaiting_second_review: 'Awaiting second review',
  confirmed: 'Confirmed possible match',
  disputed: 'Disputed: with the supervisor',
  resolved: 'Dispute resolved',
};

export type ReviewDecisions = {
  /** Latest decision per candidate id; undefined while that review is not committed. */
  first?: ReadonlyMap<string, Decision> | undefined;
  isFirstNoMatchInList?: boolean;
  second?: ReadonlyMap<string, Decision> | undefined;
  isDisputeResolved?: boolean;
};

export function deriveReviewState(decisions: ReviewDecisions): SearchReviewState {
  const { first, second } = decisions;
  if (!first) return 'awaiting_first_review';
  if (decisions.isFirstNoMatchInList) return 'no_match_in_list';
  const isAnyPossible = [...first.values()].includes('possible_match');
  if (!isAnyPossible) return 'no_possible_match';
  if (!second) return 'awaiting_second_review';
  if (findDisagreements(first, second).length > 0) return decisions.isDisputeResolved ? 'resolved' : 'disputed';
  return 'confirmed';
}

/** Candidates on which the two reviewers decided differently, in either direction. */
export function findDisagreements(first: ReadonlyMap<string, Decision>, second: ReadonlyMap<string, Decision>): string[] {
  return [...first.keys()].filter((candidateId) => first.get(candidateId) !== second.get(candidateId));
}

/** Both reviewers independently called it a possible match: the only lead that may go to disclosure. */
export function confirmedCandidates(first: ReadonlyMap<string, Decision>, second: ReadonlyMap<string, Decision>): string[] {
  return [...first.keys()].filter((candidateId) => first.get(candidateId) === 'possible_match' && second.get(candidateId) === 'possible_match');
}

/** Whether a search's review will never need a second reviewer (or already has one). */
export function isReviewFinished(state: SearchReviewState): boolean {
  return state !== 'awaiting_first_review' && state !== 'awaiting_second_review';
}
