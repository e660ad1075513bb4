// The Content-Security-Policy every page is served with (set per request by proxy.ts), and HSTS.
//
// Scripts run only with this response's nonce ('strict-dynamic' lets those scripts load the chunks
// they need; Next.js reads the nonce from the request's policy header and puts it on every script it
// renders). 'wasm-unsafe-eval' lets onnxruntime-web compile its WebAssembly, without allowing eval of
// JavaScript; its worker and the threads it starts come from this origin or from blob: URLs. Styles
// allow 'unsafe-inline' because React renders `style` attributes, which no nonce can cover; a style
// cannot run code, and everything else stays locked to this origin.

export type ContentSecurityPolicyOptions = {
  nonce: string;
  /** Development only: React uses eval to rebuild server stack traces in the browser. */
  isDevelopment?: boolean;
  /** Served over HTTPS: ask the browser to upgrade any stray http:// subresource. */
  isHttps?: boolean;
};

export function buildContentSecurityPolicy({ nonce, isDevelopment = false, isHttps = false }: ContentSecurityPolicyOptions): string {
  const directives: [string, ...string[]][] = [
    ['default-src', "'self'"],
    ['script-src', "'self'", `'nonce-${nonce}'`, "'strict-dynamic'", "'wasm-unsafe-eval'", ...(isDevelopment ? ["'unsafe-eval'"] : [])],
    ['style-src', "'self'", "'unsafe-inline'"],
    ['img-src', "'self'", 'blob:', 'data:'],
    ['media-src', "'self'", 'blob:'],
    ['font-src', "'self'"],
    ['connect-src', "'self'"],
    ['worker-src', "'self'", 'blob:'],
    ['object-src', "'none'"],
    ['base-uri', "'none'"],
    ['form-action', "'self'"],
    ['frame-ancestors', "'none'"],
  ];
  if (isHttps) directives.push(['upgrade-insecure-requests']);
  return directives.map((directive) => directive.join(' ')).join('; ');
}

/** 128 random bits, base64: unguessable, and fresh for every response. */
export function createNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}

/** Two years, subdomains included: sent only on responses that came over HTTPS (browsers ignore it otherwise). */
export const STRICT_TRANSPORT_SECURITY = 'max-age=63072000; includeSubDomains';

/**
 * Whether the browser reached us over HTTPS: directly (an https: URL) or through a TLS-terminating
 * proxy that says so in X-Forwarded-Proto (its first entry: the hop nearest the browser).
 */
export function isHttpsRequest(url: URL, headers: Pick<Headers, 'get'>): boolean {
  if (url.protocol === 'https:') return true;
  const forwarded = headers.get('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  return forwarded === 'https';
}
