import Link from 'next/link';
import { notFound } from 'next/navigation';
import { z } from 'zod';
import { CandidateGallery } from '@/components/review/candidate-gallery';
import { recordAuditEvent } from '@/lib/server/audit/append-audit-event';
import { getPrisma } from '@/lib/server/db/database';
import { requirePermission } from '@/lib/server/dal/require-permission';
import { findSearchReviewForActor } from '@/lib/server/dal/searches';
import { describeRecordedChance } from '@/lib/shared/calibration/false-match-rate';

export default async function SearchReviewPage({ params }: { params: Promise<{ caseId: string; searchId: string }> }) {
  const { searchId } = await params;
  const actor = await requirePermission('search:review', '/cases/[caseId]/searches/[searchId]');
  const id = z.string().uuid().safeParse(searchId);
  const prisma = await getPrisma();
  const review = id.success ? await findSearchReviewForActor(prisma, actor, id.data) : null;
  if (!review) notFound();
  // Looking at candidates is itself a record-worthy act: who saw which faces, and when.
  await recordAuditEvent(prisma, {
    actorId: actor.id,
    actorRole: actor.role,
    action: 'search.view',
    outcome: 'success',
    targetType: 'search',
    targetId: review.id,
    payload: { caseId: review.caseId, candidates: review.candidates.length },
  });
  return (
    <>
      <p>
        <Link href={`/cases/${review.caseId}`}>← Case {review.caseReference}</Link>
      </p>
      <h1>Search results</h1>
      <div className="review-layout">
        <aside className="panel probe-panel">
          {/* eslint-disable-next-line @next/next/no-img-element -- authorised route */}
          <img src={`/api/crops/probe/${review.probeFace.id}`} alt="Probe face as searched" data-testid="probe-crop" />
          <dl className="facts" style={{ gridTemplateColumns: '1fr', fontSize: '0.85rem' }}>
            <dt>Quality</dt>
            <dd>
              {review.probeFace.qualityVerdict}
              {review.probeFace.isManualBox ? ' (box drawn by hand)' : ''}
            </dd>
            <dt>Source</dt>
            <dd>
              {review.probe.source}
              {review.probe.cameraLocation ? `, ${review.probe.cameraLocation}` : ''}
            </dd>
            {review.probe.capturedAt ? (
              <>
                <dt>Captured</dt>
                <dd>{review.probe.capturedAt.toLocaleString('en-GB')}</dd>
              </>
            ) : null}
          </dl>
        </aside>
        <section>
          <p className="muted">
            Searched {review.watchlistNames.join(', ')} ({review.gallerySize.toLocaleString('en-GB')} faces) on{' '}
            {review.createdAt.toLocaleString('en-GB')} by {review.actorName}; {review.mode === 'rank' ? `top ${review.listSize}` : 'threshold'} ·
            model {review.modelId} · {review.indexEngine} index.
          </p>
          <p className="alert" style={{ background: '#fff8e6', border: '1px solid #f0d48a' }}>
            Candidates are investigative leads, not identifications. Compare each face with the probe yourself; the
            wording under each says how often chance alone produces a score that high.
          </p>
          <CandidateGallery
            probeFaceId={review.probeFace.id}
            candidates={review.candidates}
            describeChance={(candidate) => describeRecordedChance({ ...candidate, modelId: review.modelId, gallerySize: review.gallerySize })}
          />
        </section>
      </div>
    </>
  );
}
