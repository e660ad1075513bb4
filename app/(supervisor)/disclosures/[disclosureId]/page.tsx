import Link from 'next/link';
import { z } from 'zod';
import { DecideDisclosureForm } from '@/components/supervision/decide-disclosure-form';
import { WholeStoryView } from '@/components/supervision/whole-story';
import { refuseAsNotFound, requirePermission } from '@/lib/server/dal/require-permission';
import { findWholeStoryForActor } from '@/lib/server/dal/whole-story';
import { hasPermission } from '@/lib/shared/permissions';

const CONFLICT_WORDS = {
  requested: 'You asked for this disclosure, so another supervisor must decide it.',
  reviewed: 'You ran or reviewed this search, so another supervisor must decide it.',
} as const;

export default async function DisclosurePage({ params }: { params: Promise<{ disclosureId: string }> }) {
  const { disclosureId } = await params;
  const actor = await requirePermission('disclosure:read', '/disclosures/[disclosureId]');
  const id = z.string().uuid().safeParse(disclosureId);
  const story = id.success ? await findWholeStoryForActor(actor, { disclosureId: id.data }) : null;
  if (!story?.disclosure) return refuseAsNotFound(actor, '/disclosures/[disclosureId]', disclosureId);
  const disclosure = story.disclosure;
  const lead = story.candidates.find((candidate) => candidate.id === disclosure.candidateId)!;
  const leadLabel = `${lead.subjectName} (${lead.subjectReference})`;
  const canDecide = disclosure.status === 'pending' && hasPermission(actor.role, 'disclosure:decide') && !story.viewerConflict;
  return (
    <>
      <p>
        <Link href="/disclosures">← Disclosure queue</Link>
      </p>
      <h1>Disclosure request: case {story.case.reference}</h1>
      <div className="panel" data-testid="disclosure-request" style={{ display: 'grid', gridTemplateColumns: '7rem 1fr', gap: '1rem' }}>
        {/* eslint-disable-next-line @next/next/no-img-element -- authorised route, never optimised or cached */}
        <img src={lead.cropUrl} alt={`The lead: ${leadLabel}`} width={112} height={112} style={{ objectFit: 'cover', borderRadius: 4, background: '#ddd' }} />
        <div>
          <p style={{ marginTop: 0 }}>
            <strong>
              #{lead.rank} {leadLabel}
            </strong>{' '}
            <span className="muted">from {lead.watchlistName}</span>{' '}
            <span className={`badge ${disclosure.status === 'approved' ? 'ok' : disclosure.status === 'refused' ? 'danger' : 'warn'}`} data-testid="disclosure-decision">
              {disclosure.status}
            </span>
          </p>
          <p className="chance">{lead.chance}</p>
          <dl className="facts">
            <dt>Requested</dt>
            <dd>
              {disclosure.requestedAt.toLocaleString('en-GB')} by {disclosure.requestedBy}
            </dd>
            <dt>Statement</dt>
            <dd data-testid="disclosure-statement">{disclosure.statement}</dd>
            {disclosure.decidedBy ? (
              <>
                <dt>Decided</dt>
                <dd>
                  {disclosure.decidedAt?.toLocaleString('en-GB')} by {disclosure.decidedBy}
                </dd>
                <dt>Rationale</dt>
                <dd data-testid="decision-rationale">{disclosure.decisionRationale}</dd>
              </>
            ) : null}
            {disclosure.packSha256 ? (
              <>
                <dt>Pack SHA-256</dt>
                <dd className="mono" style={{ wordBreak: 'break-all' }} data-testid="pack-sha256">
                  {disclosure.packSha256}
                </dd>
              </>
            ) : null}
          </dl>
          {disclosure.packSha256 ? (
            <p className="row">
              <a className="button" href={`/api/disclosures/${disclosure.id}/pack`} download>
                Download disclosure pack
              </a>
              <Link href={`/disclosures/${disclosure.id}/pack`}>Printable page</Link>
            </p>
          ) : disclosure.status === 'pending' ? (
            <p>
              <Link href={`/disclosures/${disclosure.id}/pack`}>Preview the pack</Link>
            </p>
          ) : null}
        </div>
      </div>
      {canDecide ? (
        <div className="panel">
          <h2 style={{ marginTop: 0 }}>Your decision</h2>
          <DecideDisclosureForm disclosureId={disclosure.id} leadLabel={leadLabel} />
        </div>
      ) : disclosure.status === 'pending' && story.viewerConflict ? (
        <p className="alert error" role="note" data-testid="decision-conflict">
          {CONFLICT_WORDS[story.viewerConflict]}
        </p>
      ) : null}
      <WholeStoryView story={story} focusCandidateId={disclosure.candidateId} />
    </>
  );
}
