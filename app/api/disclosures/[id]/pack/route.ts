import { serveDisclosurePack } from '@/lib/server/http/serve-disclosure-pack';

// The approved disclosure pack (PDF) for the deciding supervisor and the investigator's team.
export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  return serveDisclosurePack((await params).id);
}
