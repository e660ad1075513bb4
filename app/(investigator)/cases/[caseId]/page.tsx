import { z } from 'zod';
import Link from 'next/link';
import { CloseCaseButton } from '@/components/cases/close-case-button';
import { LegalHoldForm } from '@/components/cases/legal-hold-form';
import { ClipPanel } from '@/components/detection/clip-panel';
import { ProbeWorkbench } from '@/components/detection/probe-workbench';
import { findCaseForActor } from '@/lib/server/dal/cases';
import { refuseAsNotFound, requirePermission } from '@/lib/server/dal/require-permission';
import { listSearchesOfCase } from '@/lib/server/dal/searches';
import { readSearchPolicyForPage } from '@/lib/server/dal/settings';
import { listSearchableWatchlists } from '@/lib/server/dal/watchlists';
import { REVIEW_STATE_LABELS } from '@/lib/shared/review/review-outcome';

export default async function CasePage({ params }: { params: Promise<{ caseId: string }> }) {
  const { caseId } = await params;
  const actor = await requirePermission('case:read', '/cases/[caseId]');
  const id = z.string().uuid().safeParse(caseId);
  const found = id.success ? await findCaseForActor(actor, id.data) : null;
  if (!found) return refuseAsNotFound(actor, '/cases/[caseId]', caseId);
  const [searches, watchlists, policy] = await Promise.all([
    listSearchesOfCase(actor, found.id),
    listSearchableWatchlists(actor.id),
    readSearchPolicyForPage(),
  ]);
  return (
    <>
      <h1>
        Case {found.reference}{' '}
        <span className={`badge ${found.status === 'open' ? 'ok' : 'muted'}`}>{found.status}</span>
      </h1>
      <div className="panel">
        <dl className="facts">
          <dt>Offence</dt>
          <dd>{found.offence}</dd>
          <dt>Purpose</dt>
          <dd>{found.purpose}</dd>
          <dt>Legal basis</dt>
          <dd>{found.legalBasis}</dd>
          <dt>Legal hold</dt>
          <dd data-testid="legal-hold">
            {found.legalHoldAt ? `Held since ${found.legalHoldAt.toLocaleString('en-GB')}: ${found.legalHoldReason ?? ''}` : 'None: retention applies'}
          </dd>
          <dt>Opened</dt>
          <dd>
            {found.openedAt.toLocaleString('en-GB')} by {found.openedBy}
          </dd>
        </dl>
      </div>
      <h2>Searches</h2>
      {searches.length === 0 ? (
        <p className="empty">No searches yet in this case.</p>
      ) : (
        <table data-testid="case-searches">
          <thead>
            <tr>
              <th>Face</th>
              <th>When</th>
              <th>Gallery</th>
              <th>Candidates</th>
              <th>Outcome</th>
              <th>Reviewed by</th>
            </tr>
          </thead>
          <tbody>
            {searches.map((search) => (
              <tr key={search.id}>
                <td>
                  {/* eslint-disable-next-line @next/next/no-img-element -- authorised route, never optimised or cached */}
                  <img src={`/api/crops/probe/${search.probeFaceId}`} alt="Probe face searched" width={56} height={56} className="thumb" />
                </td>
                <td>
                  <Link href={`/cases/${found.id}/searches/${search.id}`}>{search.createdAt.toLocaleString('en-GB')}</Link>
                  <div className="muted">by {search.actorName} · quality {search.qualityVerdict}</div>
                </td>
                <td>
                  {search.gallerySize.toLocaleString('en-GB')} faces in {search.watchlistCount} watch-list{search.watchlistCount === 1 ? '' : 's'}
                </td>
                <td>{search.candidates}</td>
                <td>
                  <span className="badge muted">{REVIEW_STATE_LABELS[search.reviewState]}</span>
                </td>
                <td>
                  {search.reviewers.length === 0
                    ? '—'
                    : search.reviewers.map((reviewer) => `${reviewer.name} (${reviewer.stage}${reviewer.isCommitted ? '' : ', in progress'})`).join(', ')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {found.status === 'open' ? (
        <>
          <h2>New search from a still</h2>
          <ProbeWorkbench caseId={found.id} watchlists={watchlists} defaultListSize={policy.listSize} />
          <h2>New search from a CCTV clip</h2>
          <ClipPanel caseId={found.id} watchlists={watchlists} defaultListSize={policy.listSize} />
          <h2>Legal hold</h2>
          <div className="panel">
            <LegalHoldForm caseId={found.id} isHeld={Boolean(found.legalHoldAt)} />
          </div>
          <h2>Close the case</h2>
          <CloseCaseButton caseId={found.id} reference={found.reference} />
        </>
      ) : (
        <p className="muted">This case is closed; no further searches can be run in it.</p>
      )}
    </>
  );
}
