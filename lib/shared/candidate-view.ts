/** One listed candidate as a reviewer sees it: plain data, no embedding, no storage key. */
export type CandidateView = {
  id: string;
  rank: number;
  enrolledFaceId: string;
  subjectReference: string;
  subjectName: string;
  watchlistName: string;
  rawScore: number;
  falseMatchRate: number;
  expectedFpir: number;
};
