import { renderDocsPage } from '@/lib/server/api/api-docs-page';

// The proxy puts this request's CSP nonce on the request (x-nonce); the page's scripts carry it.
export async function GET(request: Request) {
  return renderDocsPage(request.headers.get('x-nonce'));
}
