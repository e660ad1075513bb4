import Link from 'next/link';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { ProbeFaceStrip } from '@/components/review/probe-face-strip';
import { ReviewBench } from '@/components/review/review-bench';
import { MyDecisions, ReviewComparison, ReviewTimeline } from '@/components/review/review-record';
import { refuseAsNotFound, requirePermission } from '@/lib/server/dal/require-permission';
import { findSearchReviewForActor } from '@/lib/server/dal/search-review';
import { ClipFrameFacts } from '@/components/review/clip-frame-provenance';
import { REVIEW_STATE_LABELS } from '@/lib/shared/review/review-outcome';

export default async function SearchReviewPage({ params }: { params: Promise<{ caseId: string; searchId: string }> }) {
  const { searchId } = await params;
  const actor = await requirePermission('search:review', '/cases/[caseId]/searches/[searchId]');
  const id = z.string().uuid().safeParse(searchId);
  const page = id.success ? await findSearchReviewForActor(actor, id.data, { withLandmarks: true }) : null;
  if (!page || page.kind === 'not_taken') return refuseAsNotFound(actor, '/cases/[caseId]/searches/[searchId]', searchId);
  if (page.kind === 'second_review') redirect(`/reviews/${page.searchId}`);
  const { facts } = page;
  return (
    <>
      <p>
        <Link href={`/cases/${facts.caseId}`}>← Case {facts.caseReference}</Link>
      </p>
      <h1>Search results</h1>
      <p className="muted" data-testid="search-facts">
        Searched {facts.watchlistNames.join(', ')} ({facts.gallerySize.toLocaleString('en-GB')} faces) on {facts.createdAt.toLocaleString('en-GB')} by{' '}
        {facts.actorName}; {facts.mode === 'rank' ? `top ${facts.listSize}` : 'threshold'} · model {facts.modelId} · {facts.indexEngine} index.{' '}
        <span className="badge muted" data-testid="review-state">
          {REVIEW_STATE_LABELS[facts.reviewState]}
        </span>
      </p>
      {facts.watchlists.length > 0 ? (
        <p className="muted" data-testid="search-watchlist-versions">
          Watch-list versions searched:{' '}
          {facts.watchlists.map((list) => `${list.name} v${list.version ?? '(not recorded)'}`).join(', ')}
        </p>
      ) : null}
      <dl className="facts" data-testid="probe-facts">
        <dt>Probe quality</dt>
        <dd>
          {facts.probeFaces.length > 1 ? (
            // A set of faces is judged by its best face (lib/server/search/run-face-search.ts).
            `${facts.probeSetVerdict}, the best of ${facts.probeFaces.length} faces of one person`
          ) : (
            <>
              {facts.probeFace.serverQualityVerdict ?? facts.probeFace.qualityVerdict}
              {facts.probeFace.serverQualityVerdict ? ' (measured by the server on the crop)' : ''}
            </>
          )}
          {facts.probeFace.isManualBox ? ' · box drawn by hand' : ''}
        </dd>
        {facts.calibration ? (
          <>
            <dt>Score calibration</dt>
            <dd data-testid="search-calibration">{facts.calibration}</dd>
          </>
        ) : null}
        {facts.probeFace.qualityOverrideReason ? (
          <>
            <dt>Quality override</dt>
            <dd data-testid="quality-override-reason">{facts.probeFace.qualityOverrideReason}</dd>
          </>
        ) : null}
        <dt>Source</dt>
        <dd>
          {facts.probe.source}
          {facts.probe.cameraLocation ? `, ${facts.probe.cameraLocation}` : ''}
          {facts.probe.capturedAt ? `, captured ${facts.probe.capturedAt.toLocaleString('en-GB')}` : ''}
        </dd>
        <dt>Still SHA-256</dt>
        <dd className="mono" style={{ wordBreak: 'break-all' }}>
          {facts.probe.imageSha256}
        </dd>
        <ClipFrameFacts probe={facts.probe} testId="probe-clip-frame" />
      </dl>
      <ProbeFaceStrip faces={facts.probeFaces} />
      <p className="alert" style={{ background: '#fff8e6', border: '1px solid #f0d48a' }}>
        Candidates are investigative leads, not identifications. Compare each face with the probe yourself.
        {page.kind === 'bench' && page.view.candidates.some((candidate) => candidate.revealed)
          ? ' The wording under each says how often chance alone produces a score that high.'
          : ' Names and scores are hidden while you decide, so the decision rests on the faces.'}
      </p>
      {page.kind === 'under_review' ? (
        <div className="panel" data-testid="under-review">
          <p>
            This search is under review. Its candidates and decisions are shown to the rest of the team once the review is complete, so that anyone
            who may take the blind second review has not seen them.
          </p>
          <ReviewTimeline reviews={page.reviews} />
        </div>
      ) : (
        <>
          <ReviewTimeline reviews={page.reviews} />
          <ReviewBench view={page.view} />
          {page.view.isCommitted && page.viewer !== 'observer' && page.view.candidates.length > 0 ? (
            <>
              <h2>Your decisions</h2>
              <MyDecisions candidates={page.view.candidates} canCorrect />
            </>
          ) : null}
          {page.comparison && page.reviews.some((review) => review.stage === 'second' && review.committedAt) ? (
            <>
              <h2>Both reviews</h2>
              <ReviewComparison rows={page.comparison} canRequestDisclosure={actor.role === 'investigator'} />
            </>
          ) : null}
        </>
      )}
    </>
  );
}
