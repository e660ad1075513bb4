import { notFound } from 'next/navigation';
import { z } from 'zod';
import { CloseCaseButton } from '@/components/cases/close-case-button';
import { getPrisma } from '@/lib/server/db/database';
import { findCaseForActor } from '@/lib/server/dal/cases';
import { requirePermission } from '@/lib/server/dal/require-permission';

export default async function CasePage({ params }: { params: Promise<{ caseId: string }> }) {
  const { caseId } = await params;
  const actor = await requirePermission('case:read', '/cases/[caseId]');
  const id = z.string().uuid().safeParse(caseId);
  const found = id.success ? await findCaseForActor(await getPrisma(), actor, id.data) : null;
  if (!found) notFound();
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
          <dt>Opened</dt>
          <dd>
            {found.openedAt.toLocaleString('en-GB')} by {found.openedBy}
          </dd>
        </dl>
      </div>
      <h2>Stills and searches</h2>
      <p className="empty">No stills have been uploaded to this case.</p>
      {found.status === 'open' ? <CloseCaseButton caseId={found.id} reference={found.reference} /> : null}
    </>
  );
}
