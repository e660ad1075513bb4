import type { CommittedDecisionView, RevealedIdentity } from './bench-view';

export type ReviewSummary = { stage: 'first' | 'second'; reviewerName: string; startedAt: Date; committedAt: Date | null; isNoMatchInList: boolean };

/** Both reviews of one candidate, side by side: only built once both are committed. */
export type ReviewComparisonRow = {
  candidateId: string;
  rank: number;
  identity: RevealedIdentity;
  first: CommittedDecisionView | null;
  second: CommittedDecisionView | null;
  isConfirmed: boolean;
  isDisagreement: boolean;
  /** The supervisor's final decision on a disputed candidate, once the dispute is resolved. */
  resolution: 'possible_match' | 'no_match' | 'inconclusive' | null;
  /** Confirmed by both reviewers, or resolved as a possible match by the supervisor: it may go to disclosure. */
  isDisclosable: boolean;
  /** The latest disclosure request; `isPackReady` once approved and its pack is stored. */
  disclosure: { id: string; status: string; requestedBy: string; requestedAt: Date; isPackReady: boolean } | null;
};
