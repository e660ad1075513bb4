import type { ReviewComparisonRow, ReviewSummary } from '@/lib/shared/review/review-record-view';
import type { BenchCandidate, CommittedDecisionView } from '@/lib/shared/review/bench-view';
import { FISWG_COMPONENTS, FINDING_LABELS, type ComponentFinding } from '@/lib/shared/review/fiswg-components';
import { DECISION_LABELS } from '@/lib/shared/schemas/review';
import { CorrectDecisionForm } from './correct-decision-form';
import { RequestDisclosureForm } from './request-disclosure-form';

function Decision({ view }: { view: CommittedDecisionView | null }) {
  if (!view) return <span className="muted">—</span>;
  const findings = FISWG_COMPONENTS.filter((component) => view.checklist[component.id]);
  return (
    <div>
      <strong>{DECISION_LABELS[view.decision]}</strong> <span className="muted">by {view.reviewerName}</span>
      {view.correctionReason ? <span className="badge warn"> corrected: {view.correctionReason}</span> : null}
      {view.rationale ? <p style={{ margin: '0.25rem 0' }}>{view.rationale}</p> : null}
      {findings.length ? (
        <p className="muted" style={{ margin: 0, fontSize: '0.85rem' }}>
          {findings.map((component) => `${component.label}: ${FINDING_LABELS[view.checklist[component.id] as ComponentFinding].toLowerCase()}`).join(' · ')}
        </p>
      ) : null}
    </div>
  );
}

/** Who reviewed, when: the period of each review is part of the record. */
export function ReviewTimeline({ reviews }: { reviews: ReviewSummary[] }) {
  if (reviews.length === 0) return <p className="muted">Not reviewed yet.</p>;
  return (
    <ul className="muted" data-testid="review-timeline">
      {reviews.map((review) => (
        <li key={review.stage}>
          {review.stage === 'first' ? 'First' : 'Second'} review by {review.reviewerName}:{' '}
          {review.committedAt ? `committed ${review.committedAt.toLocaleString('en-GB')}` : `taken ${review.startedAt.toLocaleString('en-GB')}, not yet committed`}
          {review.isNoMatchInList ? ' — no match in this list' : ''}
        </li>
      ))}
    </ul>
  );
}

/** The reviewer's own committed decisions with their history, and the way to correct one. */
export function MyDecisions({ candidates, canCorrect }: { candidates: BenchCandidate[]; canCorrect: boolean }) {
  return (
    <table data-testid="my-decisions">
      <thead>
        <tr>
          <th>Candidate</th>
          <th>Decision and history</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {candidates.map((candidate) => {
          const label = candidate.revealed ? `${candidate.revealed.subjectName} (${candidate.revealed.subjectReference})` : `candidate face ${candidate.position}`;
          return (
            <tr key={candidate.id}>
              <td>{candidate.revealed ? `#${candidate.revealed.rank} ${label}` : `Candidate face ${candidate.position}`}</td>
              <td>
                {candidate.committed.map((view, index) => (
                  <div key={view.createdAt + index} style={{ opacity: index < candidate.committed.length - 1 ? 0.6 : 1 }}>
                    {index < candidate.committed.length - 1 ? <span className="muted">Superseded: </span> : null}
                    <Decision view={view} />
                  </div>
                ))}
              </td>
              <td>{canCorrect ? <CorrectDecisionForm candidateId={candidate.id} label={label} /> : null}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** Both reviews side by side, once both are committed; confirmed possible matches can go to disclosure. */
export function ReviewComparison({ rows, canRequestDisclosure }: { rows: ReviewComparisonRow[]; canRequestDisclosure: boolean }) {
  return (
    <table data-testid="review-comparison">
      <thead>
        <tr>
          <th>Candidate</th>
          <th>First review</th>
          <th>Second review (blind)</th>
          <th>Outcome</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.candidateId} data-testid="comparison-row" className={row.isDisagreement ? 'bench-disagreement' : undefined}>
            <td>
              <strong>
                #{row.rank} {row.identity.subjectName}
              </strong>
              <div className="mono muted">
                {row.identity.subjectReference} · {row.identity.watchlistName}
              </div>
              <div className="chance">{row.identity.chance}</div>
            </td>
            <td>
              <Decision view={row.first} />
            </td>
            <td>
              <Decision view={row.second} />
            </td>
            <td>
              {row.isConfirmed ? <span className="badge ok">Confirmed possible match</span> : null}
              {row.isDisagreement ? <span className="badge danger">Reviewers disagree</span> : null}
              {row.resolution ? <span className="badge muted">Supervisor: {DECISION_LABELS[row.resolution].toLowerCase()}</span> : null}
              {row.disclosure ? (
                <p className="muted" data-testid="disclosure-status">
                  Disclosure {row.disclosure.status}, requested by {row.disclosure.requestedBy} on {row.disclosure.requestedAt.toLocaleString('en-GB')}
                  {row.disclosure.isPackReady ? (
                    <>
                      {' · '}
                      <a href={`/api/disclosures/${row.disclosure.id}/pack`} download>
                        Download disclosure pack
                      </a>
                    </>
                  ) : null}
                </p>
              ) : row.isDisclosable && canRequestDisclosure ? (
                <RequestDisclosureForm candidateId={row.candidateId} subjectLabel={row.identity.subjectReference} />
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
