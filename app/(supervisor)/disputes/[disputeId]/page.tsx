import Link from 'next/link';
import { z } from 'zod';
import { ResolveDisputeForm } from '@/components/supervision/resolve-dispute-form';
import { WholeStoryView } from '@/components/supervision/whole-story';
import { refuseAsNotFound, requirePermission } from '@/lib/server/dal/require-permission';
import { findWholeStoryForActor } from '@/lib/server/dal/whole-story';
import { hasPermission } from '@/lib/shared/permissions';

export default async function DisputePage({ params }: { params: Promise<{ disputeId: string }> }) {
  const { disputeId } = await params;
  const actor = await requirePermission('disclosure:read', '/disputes/[disputeId]');
  const id = z.string().uuid().safeParse(disputeId);
  const story = id.success ? await findWholeStoryForActor(actor, { disputeId: id.data }) : null;
  if (!story?.dispute) return refuseAsNotFound(actor, '/disputes/[disputeId]', disputeId);
  const dispute = story.dispute;
  const disputed = story.candidates.filter((candidate) => dispute.disputedCandidateIds.includes(candidate.id));
  const canResolve = dispute.status === 'open' && hasPermission(actor.role, 'disclosure:decide') && !story.viewerConflict;
  return (
    <>
      <p>
        <Link href="/disclosures">← Disclosure queue</Link>
      </p>
      <h1>Dispute: case {story.case.reference}</h1>
      <p className="muted">
        The two reviewers of this search disagreed. Read both reviews side by side below, then give the final decision on each candidate they
        disagreed on. A candidate you resolve as a possible match may then be put forward for disclosure.
      </p>
      {canResolve ? (
        <div className="panel">
          <h2 style={{ marginTop: 0 }}>Your decision</h2>
          <ResolveDisputeForm disputeId={dispute.id} candidates={disputed.map((candidate) => ({ id: candidate.id, label: `#${candidate.rank} ${candidate.subjectName} (${candidate.subjectReference})` }))} />
        </div>
      ) : dispute.status === 'open' && story.viewerConflict ? (
        <p className="alert error" role="note" data-testid="decision-conflict">
          You ran or reviewed this search, so another supervisor must resolve it.
        </p>
      ) : null}
      <WholeStoryView story={story} />
    </>
  );
}
