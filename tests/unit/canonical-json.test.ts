import { describe, expect, it } from 'vitest';
import { canonicalJson } from '@/lib/shared/canonical-json';

describe('canonicalJson', () => {
  it('orders keys so equal objects encode equally', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 2], c: 'x' } })).toBe('{"a":{"c":"x","d":[1,2]},"b":1}');
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
  });

  it('drops undefined members, keeps null, and encodes bigint and dates as strings', () => {
    expect(canonicalJson({ a: undefined, b: null, c: 10n, d: new Date('2026-01-02T03:04:05.006Z') })).toBe(
      '{"b":null,"c":"10","d":"2026-01-02T03:04:05.006Z"}',
    );
  });

  it('refuses values that JSON cannot carry faithfully', () => {
    expect(() => canonicalJson({ score: Number.NaN })).toThrow(/non-finite/);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(/cannot be canonicalised/);
  });

  it('treats -0 as 0 so the database round trip does not change the hash', () => {
    expect(canonicalJson(-0)).toBe('0');
  });
});
