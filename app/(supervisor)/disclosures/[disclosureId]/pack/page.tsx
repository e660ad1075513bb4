import Link from 'next/link';
import { z } from 'zod';
import { PackDocument } from '@/components/supervision/pack-document';
import { findPackContentForActor } from '@/lib/server/dal/disclosure-pack';
import { refuseAsNotFound, requirePermission } from '@/lib/server/dal/require-permission';

// The disclosure pack as a printable page (the browser's Print makes paper or a PDF of it). The signed
// record is the stored PDF, whose SHA-256 the approval's audit event holds; this page shows the same
// content, drawn from the same outline.
export default async function PackPage({ params }: { params: Promise<{ disclosureId: string }> }) {
  const { disclosureId } = await params;
  const actor = await requirePermission('disclosure:read', '/disclosures/[disclosureId]/pack');
  const id = z.string().uuid().safeParse(disclosureId);
  const content = id.success ? await findPackContentForActor(actor, id.data) : null;
  if (!content) return refuseAsNotFound(actor, '/disclosures/[disclosureId]/pack', disclosureId);
  return (
    <>
      <div className="pack-screen-only">
        <p className="row">
          <Link href={`/disclosures/${content.disclosure.id}`}>← Back to the request</Link>
          {content.disclosure.packSha256 ? (
            <a href={`/api/disclosures/${content.disclosure.id}/pack`} download>
              Download disclosure pack
            </a>
          ) : null}
        </p>
        <p className="muted">
          {content.isFinal
            ? `The evidential copy is the PDF (SHA-256 ${content.disclosure.packSha256}); use your browser’s Print for paper.`
            : 'A preview: no pack exists until the request is approved.'}
        </p>
      </div>
      <PackDocument content={content} />
    </>
  );
}
