import 'server-only';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

// Swagger UI from the swagger-ui-dist package, served by the app itself: the docs work offline and
// under the app's Content-Security-Policy (the page's one inline script carries this response's
// nonce; the bundle is loaded from this origin by a nonced tag, which 'strict-dynamic' accepts).
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

export async function serveDocsAsset(file: string): Promise<Response> {
  const type = ASSETS[file];
  if (!type) return new Response('Not found', { status: 404 });
  const body = await readFile(join(process.cwd(), 'node_modules', 'swagger-ui-dist', file));
  return new Response(new Uint8Array(body), { headers: { 'content-type': type, 'cache-control': 'public, max-age=3600' } });
}

function escapeAttribute(value: string): string {
  return value.replace(/[^A-Za-z0-9+/=]/g, '');
}

export function renderDocsPage(nonce: string | null): Response {
  const n = nonce ? ` nonce="${escapeAttribute(nonce)}"` : '';
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>RFR workstation search API — /api/v1</title>
<link rel="stylesheet" href="/api/v1/docs/assets/swagger-ui.css">
<link rel="icon" type="image/png" href="/api/v1/docs/assets/favicon-32x32.png">
</head>
<body>
<noscript><p>This page needs JavaScript. The machine-readable contract is at <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p></noscript>
<main id="swagger-ui" aria-label="API reference"></main>
<script src="/api/v1/docs/assets/swagger-ui-bundle.js"${n}></script>
<script${n}>
window.ui = SwaggerUIBundle({ url: '/api/v1/openapi.json', dom_id: '#swagger-ui', deepLinking: true, tryItOutEnabled: false, validatorUrl: null });
</script>
</body>
</html>`;
  return new Response(html, { headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } });
}
