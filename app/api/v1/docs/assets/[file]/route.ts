import { serveDocsAsset } from '@/lib/server/api/api-docs-page';

export async function GET(_request: Request, { params }: { params: Promise<{ file: string }> }) {
  return serveDocsAsset((await params).file);
}
