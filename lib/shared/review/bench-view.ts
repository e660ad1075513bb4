// The plain data a review page hands to the bench. It is serialised into the page, so what is absent
// here is absent from the HTML: while identities are hidden from a reviewer, `revealed` is null and no
// name, reference, score or rank of the candidate reaches the browser.

export type BenchFace = {
  cropUrl: string;
  /** 68 points normalised to 0..1 of the crop, or null when unavailable */
  landmarks: [number, number][] | null;
};

export type RevealedIdentity = {
  subjectName: string;
  subjectReference: string;
  watchlistName: string;
  rank: number;
  chance: string /* calibrated words */;
  /** Which calibration table read the score (chosen by the probe's measured quality), in words. */
  calibration: string;
  rawScore: number;
  falseMatchRate: number;
  expectedFpir: number;
};

export type CommittedDecisionView = {
  decision: 'possible_match' | 'no_match' | 'inconclusive';
  rationale: string;
  checklist: Record<string, string>;
  reviewerName: string;
  createdAt: string /* ISO */;
  correctionReason: string | null;
};

/** One face of the probe: a search of several faces of one person has several (position 0 is the primary). */
export type BenchProbeFace = BenchFace & {
  id: string;
  /** "Probe face 2" */
  label: string;
  qualityVerdict: string;
};

export type BenchCandidate = {
  id: string;
  /**
   * The probe face that gave this candidate its score (max fusion over the faces), shown beside it by
   * default. Not an identity or a score: which of the investigator's own faces is closest. Null while the
   * viewer works blind (it still comes from the scores), so the bench then opens on probe face 1.
   */
  bestProbeFaceId: string | null;
  /** 1-based position in the order shown to this reviewer (rank order for the first review, shuffled for the second) */
  position: number;
  face: BenchFace;
  /** null while identities are hidden from this reviewer */
  revealed: RevealedIdentity | null;
  /** this reviewer's committed decisions, oldest first (corrections append); empty while deciding */
  committed: CommittedDecisionView[];
};

export type BenchView = {
  searchId: string;
  stage: 'first' | 'second';
  isCommitted: boolean;
  /** The primary probe face (probeFaces[0]). */
  probe: BenchFace;
  /** Every face of the probe, in the search's order. */
  probeFaces: BenchProbeFace[];
  candidates: BenchCandidate[];
};
