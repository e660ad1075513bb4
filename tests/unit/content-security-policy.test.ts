import { describe, expect, it } from 'vitest';
import { buildContentSecurityPolicy, createNonce, isHttpsRequest } from '@/lib/shared/security/content-security-policy';

function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy.split(';').map((part) => {
      const [name, ...values] = part.trim().split(/\s+/);
      return [name!, values];
    }),
  );
}

describe('content security policy', () => {
  it('allows scripts only with the nonce, WebAssembly but no eval, and locks down objects, framing and base', () => {
    const policy = directives(buildContentSecurityPolicy({ nonce: 'abc123==' }));
    expect(policy.get('script-src')).toEqual(["'self'", "'nonce-abc123=='", "'strict-dynamic'", "'wasm-unsafe-eval'"]);
    expect(policy.get('script-src')).not.toContain("'unsafe-inline'");
    expect(policy.get('script-src')).not.toContain("'unsafe-eval'");
    expect(policy.get('worker-src')).toEqual(["'self'", 'blob:']);
    expect(policy.get('object-src')).toEqual(["'none'"]);
    expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
    expect(policy.get('base-uri')).toEqual(["'none'"]);
    expect(policy.get('default-src')).toEqual(["'self'"]);
    expect(policy.has('upgrade-insecure-requests')).toBe(false);
  });

  it('upgrades stray http:// only over HTTPS, and allows eval only in development', () => {
    expect(directives(buildContentSecurityPolicy({ nonce: 'n', isHttps: true })).has('upgrade-insecure-requests')).toBe(true);
    expect(directives(buildContentSecurityPolicy({ nonce: 'n', isDevelopment: true })).get('script-src')).toContain("'unsafe-eval'");
  });

  it('makes a fresh, well-formed nonce every time', () => {
    const nonces = new Set(Array.from({ length: 100 }, createNonce));
    expect(nonces.size).toBe(100);
    // The form Next.js accepts when it reads the nonce back from the policy header.
    for (const nonce of nonces) expect(`'nonce-${nonce}'`).toMatch(/^'nonce-([A-Za-z0-9+/_-]+={0,2})'$/);
  });

  it('knows HTTPS from the URL or from a TLS-terminating proxy', () => {
    expect(isHttpsRequest(new URL('https://rfr.example/cases'), new Headers())).toBe(true);
    expect(isHttpsRequest(new URL('http://10.0.0.1:3000/cases'), new Headers({ 'x-forwarded-proto': 'https' }))).toBe(true);
    expect(isHttpsRequest(new URL('http://10.0.0.1:3000/cases'), new Headers({ 'x-forwarded-proto': 'http' }))).toBe(false);
    expect(isHttpsRequest(new URL('http://10.0.0.1:3000/cases'), new Headers())).toBe(false);
  });
});
