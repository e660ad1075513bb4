import Link from 'next/link';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { ProbeFaceStrip } from '@/components/review/probe-face-strip';
import { ReviewBench } from '@/components/review/review-bench';
import { TakeSecondReview } from '@/components/review/take-second-review';
import { refuseAsNotFound, requirePermission } from '@/lib/server/dal/require-permission';
import { findSearchReviewForActor } from '@/lib/server/dal/search-review';

/**
 * The blind second review. Everything on this page comes from a view built for the second reviewer:
 * the candidates in their shuffled order, faces only. Ranks, scores, identities and the first
 * review are not hidden here, they are never sent.
 */
export default async function SecondReviewPage({ params }: { params: Promise<{ searchId: string }> }) {
  const { searchId } = await params;
  const actor = await requirePermission('adjudication:record', '/reviews/[searchId]');
  const id = z.string().uuid().safeParse(searchId);
  if (!id.success) return refuseAsNotFound(actor, '/reviews/[searchId]', searchId);
  const page = await findSearchReviewForActor(actor, id.data, { stage: 'second', withLandmarks: true });
  // Another team's search, or none: the same 404 (audited). A search of the team not yet taken gets
  // the panel to take it, which says why when it cannot be (the first reviewer, already taken).
  if (!page) return refuseAsNotFound(actor, '/reviews/[searchId]', searchId);
  if (page.kind !== 'bench') {
    return (
      <>
        <p>
          <Link href="/reviews">← Second review queue</Link>
        </p>
        <h1>Blind second review</h1>
        <TakeSecondReview searchId={id.data} />
      </>
    );
  }
  if (page.view.isCommitted) redirect(`/cases/${page.facts.caseId}/searches/${page.facts.id}`);
  return (
    <>
      <p>
        <Link href="/reviews">← Second review queue</Link>
      </p>
      <h1>Blind second review</h1>
      <p className="muted">
        Case {page.facts.caseReference}: {page.facts.casePurpose}
      </p>
      <p className="alert" style={{ background: '#fff8e6', border: '1px solid #f0d48a' }}>
        Decide each candidate on the faces alone. They are shown in a random order; the first reviewer&apos;s decisions are shown to you once you have
        committed yours.
      </p>
      <ProbeFaceStrip faces={page.facts.probeFaces} />
      <ReviewBench view={page.view} />
    </>
  );
}
