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
  disclosure: { status: string; requestedBy: string; requestedAt: Date } | null;
};
