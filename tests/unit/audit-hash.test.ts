import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, hashAuditEvent, type HashedAuditFields } from '@/lib/server/audit/audit-hash';

const base: HashedAuditFields = {
  sequence: 1n,
  prevHash: GENESIS_HASH,
  actorId: '00000000-0000-4000-8000-000000000001',
  actorRole: 'investigator',
  action: 'case.open',
  outcome: 'success',
  targetType: 'case',
  targetId: '00000000-0000-4000-8000-000000000002',
  payload: { reference: 'OP/1' },
  createdAt: new Date('2026-11-27T10:00:00.000Z'),
};

describe('hashAuditEvent', () => {
  it('is a stable SHA-256 hex digest', () => {
    expect(hashAuditEvent(base)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashAuditEvent({ ...base, payload: { reference: 'OP/1' } })).toBe(hashAuditEvent(base));
  });

  it('changes when any single field changes', () => {
    const variants: Partial<HashedAuditFields>[] = [
      { sequence: 2n },
      { prevHash: 'f'.repeat(64) },
      { actorId: null },
      { actorRole: 'admin' },
      { action: 'case.close' },
      { outcome: 'refused' },
      { targetType: 'user' },
      { targetId: null },
      { payload: { reference: 'OP/2' } },
      { createdAt: new Date('2026-11-27T10:00:00.001Z') },
    ];
    const original = hashAuditEvent(base);
    for (const variant of variants) {
      expect(hashAuditEvent({ ...base, ...variant }), JSON.stringify(Object.keys(variant))).not.toBe(original);
    }
  });
});
