import { describe, expect, it } from 'vitest';
import { decideDemoSeeding } from '@/lib/server/seed/seed-demo-users';

// Demo users have public e-mails: they are made where a first start must just work (the embedded
// store) or where someone asked for them, never silently on a production DATABASE_URL.
const url = 'postgres://rfr@db.internal:5432/rfr';
const decide = (databaseUrl: string | undefined, env: Record<string, string> = {}, isDemoRequested = false) =>
  decideDemoSeeding({ databaseUrl, isDemoRequested, env });

describe('decideDemoSeeding', () => {
  it('seeds on the embedded default and not on a DATABASE_URL', () => {
    expect(decide(undefined).isEnabled).toBe(true);
    expect(decide(url)).toMatchObject({ isEnabled: false, why: expect.stringMatching(/DATABASE_URL/) });
  });

  it('seeds on a DATABASE_URL only when asked, by --demo or RFR_DEMO=1', () => {
    expect(decide(url, {}, true).isEnabled).toBe(true);
    expect(decide(url, { RFR_DEMO: '1' }).isEnabled).toBe(true);
    expect(decide(undefined, { RFR_DEMO: '0' }).isEnabled).toBe(false);
    expect(() => decide(undefined, { RFR_DEMO: 'yes' })).toThrow(/RFR_DEMO must be 1 or 0/);
  });

  it('holds RFR_DEMO_PASSWORD to the rule every password obeys', () => {
    expect(() => decide(undefined, { RFR_DEMO_PASSWORD: 'short' })).toThrow('RFR_DEMO_PASSWORD: Use at least 12 characters.');
    expect(() => decide(undefined, { RFR_DEMO_PASSWORD: 'x'.repeat(1025) })).toThrow(/RFR_DEMO_PASSWORD: At most 1024/);
    expect(decide(undefined, { RFR_DEMO_PASSWORD: 'e2e-demo-password-not-for-production' }).password).toBe('e2e-demo-password-not-for-production');
    expect(decide(undefined).password).toBeUndefined();
  });
});
