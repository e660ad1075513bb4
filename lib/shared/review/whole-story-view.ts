import type { CommittedDecisionView } from './bench-view';
import type { ReviewSummary } from './review-record-view';
import type { SearchReviewState } from './review-outcome';
import type { Decision } from '@/lib/shared/schemas/review';

// The whole story of one search on one page, as the supervisor reads it before deciding and as the
// disclosure pack records it: plain data, no storage keys, no embeddings.

/** Printed at the top of every pack and on the supervisor's page. */
export const LEAD_NOT_IDENTIFICATION =
  'Facial recognition gives an investigative lead, not an identification. The candidate below was put forward by human reviewers comparing faces; who the person is must be established by other evidence before anyone is treated as identified.';

export type StoryDisclosure = {
  id: string;
  candidateId: string;
  status: 'pending' | 'approved' | 'refused';
  statement: string;
  requestedAt: Date;
  requestedBy: string;
  decidedBy: string | null;
  decidedAt: Date | null;
  decisionRationale: string | null;
  /** Present once approved: the SHA-256 of the stored pack. */
  packSha256: string | null;
};

export type StoryCandidate = {
  id: string;
  rank: number;
  cropUrl: string;
  subjectName: string;
  subjectReference: string;
  watchlistName: string;
  /** Calibrated words recorded at search time (never "% match"). */
  chance: string;
  rawScore: number;
  falseMatchRate: number;
  expectedFpir: number;
  /** Each review's decisions on this candidate, oldest first: the last is in force, earlier ones were corrected. */
  first: CommittedDecisionView[];
  second: CommittedDecisionView[];
  isConfirmed: boolean;
  isDisagreement: boolean;
  /** The supervisor's final decision where the reviewers disagreed and the dispute is resolved. */
  resolution: Decision | null;
  /** The decision in force: agreed by both reviewers, or the supervisor's. */
  finalDecision: Decision | null;
  disclosures: StoryDisclosure[];
};

export type StoryWatchlist = {
  id: string;
  name: string;
  purpose: string;
  authority: string;
  /** Searchable faces and subjects now (the search records only the gallery's total size). */
  faceCount: number;
  subjectCount: number;
  /** The list's version when searched (with the current one if it has moved on); null for searches recorded before lists were versioned. */
  version: string | null;
  isDeleted: boolean;
};

export type StoryOtherSearch = {
  id: string;
  createdAt: Date;
  actorName: string;
  watchlistNames: string[];
  gallerySize: number;
  candidateCount: number;
  reviewState: SearchReviewState;
  /** Subject references of candidates whose decision in force is a possible match. */
  possibleMatches: string[];
};

export type WholeStory = {
  case: { id: string; reference: string; offence: string; purpose: string; legalBasis: string; status: 'open' | 'closed'; openedAt: Date; openedBy: string; teamName: string };
  probe: { source: string; cameraLocation: string | null; capturedAt: Date | null; imageSha256: string; clipSha256?: string | null; clipFileName?: string | null; frameTimeMs?: number | null; width: number; height: number; uploadedAt: Date; uploadedBy: string };
  probeFace: {
    id: string;
    cropUrl: string;
    cropSha256: string;
    isManualBox: boolean;
    /** What the browser measured, and what the server measured itself on the crop (the verdict applied). */
    clientQualityVerdict: string;
    serverQualityVerdict: string | null;
    embeddingAgreement: number | null;
    qualityOverrideReason: string | null;
  };
  /**
   * Every face searched as the probe, in order (position 0 is `probeFace`); several for a search of
   * several faces of one person, which may come from different stills.
   */
  probeFaces: { id: string; position: number; cropUrl: string; cropSha256: string; qualityVerdict: string; stillSha256: string }[];
  search: {
    id: string;
    createdAt: Date;
    actorName: string;
    mode: string;
    listSize: number;
    threshold: number | null;
    modelId: string;
    indexEngine: string;
    indexVersion: string;
    gallerySize: number;
    reviewState: SearchReviewState;
    watchlists: StoryWatchlist[];
    /** The calibration table the search read its scores with (as in force now); null when the model has none. */
    calibration: { tableId: string; probeQuality: string | null; modelId: string; measuredAt: string; dataset: string; impostorComparisons: number; fingerprint: string } | null;
  };
  reviews: ReviewSummary[];
  candidates: StoryCandidate[];
  dispute: {
    id: string;
    status: 'open' | 'resolved';
    raisedAt: Date;
    resolvedBy: string | null;
    resolvedAt: Date | null;
    rationale: string | null;
    /** Candidate ids the reviewers disagreed on. */
    disputedCandidateIds: string[];
  } | null;
  /** The disclosure this page is about, when it is about one. */
  disclosure: StoryDisclosure | null;
  /** Every other search of the case, including those that found no possible match. */
  otherSearches: StoryOtherSearch[];
  /** Why this viewer may not decide (they ran, reviewed or asked): shown instead of the decision form. */
  viewerConflict: 'requested' | 'reviewed' | null;
};

export type PackAuditEvent = {
  sequence: number;
  createdAt: Date;
  action: string;
  outcome: string;
  actorName: string | null;
  actorRole: string | null;
  targetType: string | null;
  targetId: string | null;
  hash: string;
};

/** Everything the pack says: the story, the decision, this search's audit trail and the chain head it ends at. */
export type PackContent = {
  story: WholeStory;
  disclosure: StoryDisclosure;
  auditTrail: PackAuditEvent[];
  chainHead: { sequence: number; hash: string } | null;
  generatedAt: Date;
  /** False for a preview of a pending request: no pack exists yet. */
  isFinal: boolean;
};
