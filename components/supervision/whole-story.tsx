import { Fragment } from 'react';
import type { CommittedDecisionView } from '@/lib/shared/review/bench-view';
import { FINDING_LABELS, FISWG_COMPONENTS, type ComponentFinding } from '@/lib/shared/review/fiswg-components';
import { ClipFrameFacts } from '@/components/review/clip-frame-provenance';
import { REVIEW_STATE_LABELS } from '@/lib/shared/review/review-outcome';
import { LEAD_NOT_IDENTIFICATION, type StoryCandidate, type WholeStory } from '@/lib/shared/review/whole-story-view';
import { DECISION_LABELS } from '@/lib/shared/schemas/review';

// The whole story of one search, on one page, for the supervisor who is asked to decide: nothing of
// it is hidden from them, because a decision on a lead must rest on everything that produced it.

const when = (date: Date | null) => (date ? date.toLocaleString('en-GB') : '—');

function DecisionHistory({ history }: { history: CommittedDecisionView[] }) {
  if (history.length === 0) return <span className="muted">—</span>;
  return (
    <>
      {history.map((view, index) => {
        const isSuperseded = index < history.length - 1;
        const findings = FISWG_COMPONENTS.filter((component) => view.checklist[component.id]);
        return (
          <div key={view.createdAt + index} style={{ opacity: isSuperseded ? 0.65 : 1, marginBottom: '0.4rem' }} data-testid={isSuperseded ? 'superseded-decision' : 'decision-in-force'}>
            {isSuperseded ? <span className="muted">Superseded: </span> : null}
            <strong>{DECISION_LABELS[view.decision]}</strong>{' '}
            <span className="muted">
              by {view.reviewerName}, {new Date(view.createdAt).toLocaleString('en-GB')}
            </span>
            {view.correctionReason ? <div className="badge warn">corrected: {view.correctionReason}</div> : null}
            {view.rationale ? <p style={{ margin: '0.2rem 0' }}>{view.rationale}</p> : null}
            {findings.length ? (
              <p className="muted" style={{ margin: 0, fontSize: '0.82rem' }}>
                {findings.map((component) => `${component.label}: ${FINDING_LABELS[view.checklist[component.id] as ComponentFinding].toLowerCase()}`).join(' · ')}
              </p>
            ) : null}
          </div>
        );
      })}
    </>
  );
}

function CandidateOutcome({ candidate }: { candidate: StoryCandidate }) {
  return (
    <div style={{ display: 'grid', gap: '0.3rem', justifyItems: 'start' }}>
      {candidate.isConfirmed ? <span className="badge ok">Confirmed possible match</span> : null}
      {candidate.isDisagreement ? <span className="badge danger">Reviewers disagree</span> : null}
      {candidate.resolution ? <span className="badge muted">Supervisor: {DECISION_LABELS[candidate.resolution].toLowerCase()}</span> : null}
      {candidate.finalDecision ? <span className="muted">In force: {DECISION_LABELS[candidate.finalDecision].toLowerCase()}</span> : null}
      {candidate.disclosures.map((entry) => (
        <span key={entry.id} className="muted" style={{ fontSize: '0.85rem' }}>
          Disclosure {entry.status}, asked by {entry.requestedBy} {when(entry.requestedAt)}
          {entry.decidedBy ? `; decided by ${entry.decidedBy} ${when(entry.decidedAt)}` : ''}
        </span>
      ))}
    </div>
  );
}

export function WholeStoryView({ story, focusCandidateId }: { story: WholeStory; focusCandidateId?: string | undefined }) {
  const face = story.probeFace;
  return (
    <div data-testid="whole-story">
      <p className="alert" role="note" style={{ background: '#fff8e6', border: '1px solid #f0d48a' }}>
        {LEAD_NOT_IDENTIFICATION}
      </p>

      <h2>Case {story.case.reference}</h2>
      <div className="panel">
        <dl className="facts" data-testid="story-case">
          <dt>Offence</dt>
          <dd>{story.case.offence}</dd>
          <dt>Purpose</dt>
          <dd>{story.case.purpose}</dd>
          <dt>Legal basis</dt>
          <dd>{story.case.legalBasis}</dd>
          <dt>Team</dt>
          <dd>{story.case.teamName}</dd>
          <dt>Opened</dt>
          <dd>
            {when(story.case.openedAt)} by {story.case.openedBy} ({story.case.status})
          </dd>
        </dl>
      </div>

      <h2>The still and the face searched</h2>
      <div className="panel" style={{ display: 'grid', gridTemplateColumns: '9rem 1fr', gap: '1rem' }}>
        {/* eslint-disable-next-line @next/next/no-img-element -- authorised route, never optimised or cached */}
        <img src={face.cropUrl} alt="Probe face searched" width={144} height={144} style={{ objectFit: 'cover', borderRadius: 4, background: '#ddd' }} />
        <dl className="facts" data-testid="story-probe">
          <dt>Source</dt>
          <dd>
            {story.probe.source}
            {story.probe.cameraLocation ? `, ${story.probe.cameraLocation}` : ''}
            {story.probe.capturedAt ? `, captured ${when(story.probe.capturedAt)}` : ''}
          </dd>
          <dt>Uploaded</dt>
          <dd>
            {when(story.probe.uploadedAt)} by {story.probe.uploadedBy}; still {story.probe.width}×{story.probe.height} px
          </dd>
          <dt>Still SHA-256</dt>
          <dd className="mono" style={{ wordBreak: 'break-all' }}>
            {story.probe.imageSha256}
          </dd>
          <ClipFrameFacts probe={story.probe} testId="story-clip-frame" />
          <dt>Crop SHA-256</dt>
          <dd className="mono" style={{ wordBreak: 'break-all' }}>
            {face.cropSha256}
          </dd>
          <dt>Quality</dt>
          <dd>
            {face.serverQualityVerdict ? `${face.serverQualityVerdict} (measured by the server on the crop; the browser said ${face.clientQualityVerdict})` : `${face.clientQualityVerdict} (browser only)`}
            {face.isManualBox ? ' · box drawn by hand' : ''}
          </dd>
          <dt>Quality override</dt>
          <dd data-testid="story-override">{face.qualityOverrideReason ?? 'none'}</dd>
          <dt>Embedding check</dt>
          <dd>{face.embeddingAgreement === null ? 'not recorded' : `server and browser agree to cosine ${face.embeddingAgreement.toFixed(4)}`}</dd>
        </dl>
      </div>
      {story.probeFaces.length > 1 ? (
        <section className="panel" aria-labelledby="story-probe-faces-heading" data-testid="story-probe-faces">
          <h3 id="story-probe-faces-heading" style={{ marginTop: 0 }}>
            Probe faces ({story.probeFaces.length})
          </h3>
          <p className="muted">Searched together as one person: each candidate&apos;s score is their best over these faces.</p>
          <dl className="facts">
            {story.probeFaces.map((probeFace) => (
              <Fragment key={probeFace.id}>
                <dt>
                  {/* eslint-disable-next-line @next/next/no-img-element -- authorised route, never optimised or cached */}
                  <img src={probeFace.cropUrl} alt={`Probe face ${probeFace.position + 1}`} width={56} height={56} className="thumb" />
                </dt>
                <dd className="mono" style={{ wordBreak: 'break-all' }}>
                  quality {probeFace.qualityVerdict} · crop {probeFace.cropSha256} · still {probeFace.stillSha256}
                </dd>
              </Fragment>
            ))}
          </dl>
        </section>
      ) : null}

      <h2>The search</h2>
      <div className="panel">
        <dl className="facts" data-testid="story-search">
          <dt>Run</dt>
          <dd>
            {when(story.search.createdAt)} by {story.search.actorName}
          </dd>
          <dt>Watch-lists</dt>
          <dd>
            {story.search.watchlists.map((list) => (
              <div key={list.id}>
                <strong>{list.name}</strong>
                {list.isDeleted ? ' (since deleted)' : ''}: {list.faceCount} searchable faces of {list.subjectCount} subjects now; version{' '}
                {list.version ?? 'not recorded'} <span className="muted">— {list.purpose}; authority: {list.authority}</span>
              </div>
            ))}
          </dd>
          <dt>Gallery searched</dt>
          <dd>{story.search.gallerySize.toLocaleString('en-GB')} faces</dd>
          <dt>Mode</dt>
          <dd>{story.search.mode === 'rank' ? `rank, top ${story.search.listSize}` : `threshold ${story.search.threshold ?? '—'}, at most ${story.search.listSize}`}</dd>
          <dt>Model</dt>
          <dd className="mono">{story.search.modelId}</dd>
          <dt>Calibration</dt>
          <dd>
            {story.search.calibration ? (
              <>
                table measured {story.search.calibration.measuredAt} ({story.search.calibration.impostorComparisons.toLocaleString('en-GB')} impostor comparisons), fingerprint{' '}
                <span className="mono">{story.search.calibration.fingerprint}</span>
              </>
            ) : (
              'none for this model: its scores cannot be read as probabilities'
            )}
          </dd>
          <dt>Index</dt>
          <dd>
            {story.search.indexEngine}, version {story.search.indexVersion}
          </dd>
          <dt>Outcome</dt>
          <dd>
            <span className="badge muted" data-testid="story-review-state">
              {REVIEW_STATE_LABELS[story.search.reviewState]}
            </span>
          </dd>
        </dl>
      </div>

      <h2>Candidates and both reviews</h2>
      <ul className="muted" data-testid="story-reviews">
        {story.reviews.map((review) => (
          <li key={review.stage}>
            {review.stage === 'first' ? 'First' : 'Second (blind)'} review by {review.reviewerName}: started {when(review.startedAt)}, committed {when(review.committedAt)}
            {review.isNoMatchInList ? ' — no match in this list' : ''}
          </li>
        ))}
      </ul>
      <table data-testid="story-candidates">
        <thead>
          <tr>
            <th>Candidate</th>
            <th>First review</th>
            <th>Second review (blind)</th>
            <th>Outcome</th>
          </tr>
        </thead>
        <tbody>
          {story.candidates.map((candidate) => (
            <tr
              key={candidate.id}
              data-testid="story-candidate"
              className={candidate.isDisagreement ? 'bench-disagreement' : undefined}
              style={candidate.id === focusCandidateId ? { outline: '2px solid var(--accent)' } : undefined}
            >
              <td style={{ minWidth: '14rem' }}>
                {/* eslint-disable-next-line @next/next/no-img-element -- authorised route, never optimised or cached */}
                <img src={candidate.cropUrl} alt={`Candidate #${candidate.rank}`} width={96} height={96} style={{ objectFit: 'cover', borderRadius: 4, background: '#ddd', display: 'block', marginBottom: '0.3rem' }} />
                <strong>
                  #{candidate.rank} {candidate.subjectName}
                </strong>
                <div className="mono muted">
                  {candidate.subjectReference} · {candidate.watchlistName}
                </div>
                <div className="chance">{candidate.chance}</div>
              </td>
              <td>
                <DecisionHistory history={candidate.first} />
              </td>
              <td>
                <DecisionHistory history={candidate.second} />
              </td>
              <td>
                <CandidateOutcome candidate={candidate} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      {story.dispute ? (
        <>
          <h2>Dispute</h2>
          <div className="panel" data-testid="story-dispute">
            <p>
              Raised {when(story.dispute.raisedAt)} because the reviewers disagreed on{' '}
              {story.candidates
                .filter((candidate) => story.dispute!.disputedCandidateIds.includes(candidate.id))
                .map((candidate) => `#${candidate.rank} ${candidate.subjectReference}`)
                .join(', ') || '—'}
              .{' '}
              {story.dispute.status === 'resolved' ? `Resolved by ${story.dispute.resolvedBy} ${when(story.dispute.resolvedAt)}: ${story.dispute.rationale}` : 'Not yet resolved.'}
            </p>
          </div>
        </>
      ) : null}

      <h2>Every other search in this case</h2>
      {story.otherSearches.length === 0 ? (
        <p className="empty">No other search was run in this case.</p>
      ) : (
        <table data-testid="story-other-searches">
          <thead>
            <tr>
              <th>Run</th>
              <th>Watch-lists</th>
              <th>Gallery</th>
              <th>Candidates</th>
              <th>Outcome</th>
              <th>Possible matches</th>
            </tr>
          </thead>
          <tbody>
            {story.otherSearches.map((search) => (
              <tr key={search.id}>
                <td>
                  {when(search.createdAt)} <span className="muted">by {search.actorName}</span>
                </td>
                <td>{search.watchlistNames.join(', ')}</td>
                <td>{search.gallerySize.toLocaleString('en-GB')}</td>
                <td>{search.candidateCount}</td>
                <td>{REVIEW_STATE_LABELS[search.reviewState]}</td>
                <td className="mono">{search.possibleMatches.join(', ') || 'none'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
