import { afterEach, describe, expect, it, vi } from 'vitest';
import { readConfig, migrationDatabaseUrl } from '@/lib/server/config';
import { ambientRequestContext, requestContextFromHeaders } from '@/lib/server/audit/request-context';

const headersFrom = (entries: Record<string, string>) => new Headers(entries);

vi.mock('next/headers', () => ({
  headers: async () => new Headers({ 'x-forwarded-for': '198.51.100.7, 10.0.0.2', 'user-agent': 'Mozilla/5.0 (test)' }),
}));

describe('requestContextFromHeaders', () => {
  it('records no address without a trusted proxy: X-Forwarded-For may be the client’s own claim', () => {
    expect(requestContextFromHeaders(headersFrom({ 'x-forwarded-for': '203.0.113.9', 'user-agent': 'UA' }), { trustedProxyHops: 0 })).toEqual({ ip: null, userAgent: 'UA' });
  });

  it('behind one proxy takes the entry that proxy appended, not a forged one before it', () => {
    const forged = headersFrom({ 'x-forwarded-for': '1.2.3.4, 203.0.113.9' });
    expect(requestContextFromHeaders(forged, { trustedProxyHops: 1 }).ip).toBe('203.0.113.9');
    expect(requestContextFromHeaders(forged, { trustedProxyHops: 2 }).ip).toBe('1.2.3.4');
    expect(requestContextFromHeaders(headersFrom({ 'x-forwarded-for': '203.0.113.9' }), { trustedProxyHops: 2 }).ip).toBeNull();
  });

  it('keeps only well-formed addresses, without ports, brackets or mapped-IPv4 prefixes', () => {
    const ip = (value: string) => requestContextFromHeaders(headersFrom({ 'x-forwarded-for': value }), { trustedProxyHops: 1 }).ip;
    expect(ip('203.0.113.9:51234')).toBe('203.0.113.9');
    expect(ip('[2001:DB8::1]:443')).toBe('2001:db8::1');
    expect(ip('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(ip('<script>')).toBeNull();
    expect(ip('')).toBeNull();
  });

  it('bounds the user agent and records null when there is none', () => {
    expect(requestContextFromHeaders(headersFrom({ 'user-agent': 'x'.repeat(5_000) }), { trustedProxyHops: 0 }).userAgent).toHaveLength(512);
    expect(requestContextFromHeaders(headersFrom({}), { trustedProxyHops: 0 })).toEqual({ ip: null, userAgent: null });
  });
});

describe('ambientRequestContext', () => {
  afterEach(() => {
    delete process.env.NEXT_RUNTIME;
    delete process.env.TRUST_PROXY;
  });

  it('is null outside the Next.js runtime (command-line tools, tests)', async () => {
    expect(await ambientRequestContext()).toBeNull();
  });

  it('reads the request in scope inside the Next.js runtime', async () => {
    process.env.NEXT_RUNTIME = 'nodejs';
    // getConfig() is cached per process; TRUST_PROXY is read through it, so this only checks the UA
    // and that an untrusted header yields no address.
    expect(await ambientRequestContext()).toEqual({ ip: null, userAgent: 'Mozilla/5.0 (test)' });
  });
});

describe('configuration', () => {
  it('reads TRUST_PROXY as a number of proxies, 0 by default', () => {
    expect(readConfig({}).trustedProxyHops).toBe(0);
    expect(readConfig({ TRUST_PROXY: '1' }).trustedProxyHops).toBe(1);
    expect(() => readConfig({ TRUST_PROXY: 'yes' })).toThrow(/TRUST_PROXY/);
  });

  it('migrates with DATABASE_MIGRATION_URL, or with DATABASE_URL flagged as a single-role set-up', () => {
    expect(migrationDatabaseUrl(readConfig({}))).toEqual({ url: undefined, isSingleRole: false });
    expect(migrationDatabaseUrl(readConfig({ DATABASE_URL: 'postgres://app@h/db' }))).toEqual({ url: 'postgres://app@h/db', isSingleRole: true });
    expect(migrationDatabaseUrl(readConfig({ DATABASE_URL: 'postgres://app@h/db', DATABASE_MIGRATION_URL: 'postgres://owner@h/db' }))).toEqual({
      url: 'postgres://owner@h/db',
      isSingleRole: false,
    });
  });
});
