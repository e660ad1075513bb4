import type { CandidateView } from '@/lib/shared/candidate-view';
import { KeyboardList } from '@/components/ui/keyboard-list';

/**
 * The ranked candidates, each beside the probe so a reviewer compares faces, not numbers. The score
 * is given in words (how often chance alone would produce it in a gallery this size), never as a
 * percentage "match".
 */
export function CandidateGallery({
  probeFaceId,
  candidates,
  describeChance,
}: {
  probeFaceId: string;
  candidates: CandidateView[];
  describeChance: (candidate: CandidateView) => string;
}) {
  if (candidates.length === 0) {
    return (
      <p className="empty" data-testid="no-candidates">
        No candidates: nobody in the searched watch-lists scored high enough to be listed.
      </p>
    );
  }
  return (
    <KeyboardList itemSelector="[data-testid=candidate]" label="Candidates, best first">
      <p className="muted">
        <kbd>j</kbd>/<kbd>k</kbd> or the arrow keys move between candidates.
      </p>
      <ol className="candidate-grid" data-testid="candidate-gallery" style={{ listStyle: 'none', padding: 0 }}>
        {candidates.map((candidate) => (
          <li
            key={candidate.id}
            className="candidate"
            data-testid="candidate"
            data-subject={candidate.subjectReference}
            tabIndex={0}
            aria-label={`Candidate ${candidate.rank}: ${candidate.subjectName}`}
          >
            <div className="row" style={{ justifyContent: 'space-between' }}>
              <strong>#{candidate.rank}</strong>
              <span className="muted">{candidate.watchlistName}</span>
            </div>
            <div className="pair">
              <figure>
                {/* eslint-disable-next-line @next/next/no-img-element -- authorised route, never optimised or cached */}
                <img src={`/api/crops/probe/${probeFaceId}`} alt="Probe face" />
                <figcaption>Probe</figcaption>
              </figure>
              <figure>
                {/* eslint-disable-next-line @next/next/no-img-element -- authorised route, never optimised or cached */}
                <img src={`/api/crops/enrolled/${candidate.enrolledFaceId}`} alt={`Enrolled face of ${candidate.subjectReference}`} />
                <figcaption>Candidate</figcaption>
              </figure>
            </div>
            <div>
              <strong data-testid="candidate-subject">{candidate.subjectName}</strong>
              <div className="muted mono">{candidate.subjectReference}</div>
            </div>
            <p className="chance" data-testid="candidate-chance">
              {describeChance(candidate)}
            </p>
            <details>
              <summary className="muted">Scores</summary>
              <dl className="facts mono" style={{ gridTemplateColumns: '8rem 1fr' }}>
                <dt>raw cosine</dt>
                <dd>{candidate.rawScore.toFixed(4)}</dd>
                <dt>FMR</dt>
                <dd>{candidate.falseMatchRate.toExponential(2)}</dd>
                <dt>expected FPIR</dt>
                <dd>{candidate.expectedFpir.toExponential(2)}</dd>
              </dl>
            </details>
          </li>
        ))}
      </ol>
    </KeyboardList>
  );
}
