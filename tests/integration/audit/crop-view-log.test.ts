import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordAuditEvent, type AuditEntry } from '@/lib/server/audit/append-audit-event';
import { CropViewLog, type CropKind, type CropViewPayload } from '@/lib/server/audit/crop-view-log';
import { verifyAuditChain } from '@/lib/server/audit/verify-audit-chain';
import type { Database } from '@/lib/server/db/database';
import { openMemoryDatabase } from '../../support/test-database';

// Crop views are batched per viewer; what matters is that every view served ends up in exactly one
// audit event (or, if the log cannot be written, in a loud error), however requests and flushes
// interleave.
let database: Database;
beforeAll(async () => {
  database = await openMemoryDatabase();
});
afterAll(async () => database?.close());

const write = async (entry: AuditEntry) => {
  await recordAuditEvent(database.prisma, entry);
};

async function cropViewEvents(since: bigint) {
  return database.prisma.auditEvent.findMany({ where: { action: 'crop.view', sequence: { gt: since } }, orderBy: { sequence: 'asc' } });
}

async function head(): Promise<bigint> {
  return (await database.prisma.auditEvent.findFirst({ orderBy: { sequence: 'desc' }, select: { sequence: true } }))?.sequence ?? 0n;
}

describe('crop view log', () => {
  it('writes every view exactly once under concurrent requests and flushes, one event per viewer per flush', async () => {
    const since = await head();
    const log = new CropViewLog({ write, flushIntervalMs: 5 });
    const viewers = Array.from({ length: 3 }, (_, index) => ({ id: randomUUID(), role: index === 2 ? 'supervisor' : 'investigator' }));
    const crops = Array.from({ length: 40 }, () => randomUUID());
    const expected = new Map<string, number>();
    const requests = Array.from({ length: 600 }, (_, index) => async () => {
      const viewer = viewers[index % viewers.length]!;
      const crop = crops[(index * 7) % crops.length]!;
      const kind: CropKind = index % 2 ? 'candidate' : 'probe_face';
      // Like the route: some awaiting (the permission check) before the view is noted.
      await new Promise((resolve) => setTimeout(resolve, index % 5));
      log.record({ actor: viewer, request: { ip: '192.0.2.1', userAgent: 'test' }, kind, id: crop, outcome: 'success' });
      const key = `${viewer.id}|${kind}:${crop}`;
      expected.set(key, (expected.get(key) ?? 0) + 1);
      if (index % 97 === 0) await log.flush();
    });
    await Promise.all(requests.map((request) => request()));
    await log.close();

    const events = await cropViewEvents(since);
    const seen = new Map<string, number>();
    for (const event of events) {
      const payload = event.payload as CropViewPayload & { request: unknown };
      expect(payload.request).toEqual({ ip: '192.0.2.1', userAgent: 'test' });
      expect(payload.views).toBe(payload.crops.reduce((total, crop) => total + crop.count, 0));
      for (const crop of payload.crops) {
        const key = `${event.actorId}|${crop.kind}:${crop.id}`;
        seen.set(key, (seen.get(key) ?? 0) + crop.count);
      }
    }
    expect(seen).toEqual(expected);
    expect([...seen.values()].reduce((a, b) => a + b, 0)).toBe(600);
    // Batched: far fewer events than views.
    expect(events.length).toBeLessThan(100);
    expect(await verifyAuditChain(database.prisma)).toMatchObject({ ok: true });
  });

  it('flushes by itself after the interval', async () => {
    const since = await head();
    const log = new CropViewLog({ write, flushIntervalMs: 30 });
    const viewer = { id: randomUUID(), role: 'investigator' };
    const crop = randomUUID();
    log.record({ actor: viewer, request: null, kind: 'enrolled_face', id: crop, outcome: 'success' });
    log.record({ actor: viewer, request: null, kind: 'enrolled_face', id: crop, outcome: 'refused' });
    expect(await cropViewEvents(since)).toHaveLength(0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const events = await cropViewEvents(since);
    expect(events.map((event) => event.outcome).sort()).toEqual(['refused', 'success']);
    expect(events[0]!.payload).toMatchObject({ crops: [{ kind: 'enrolled_face', id: crop, count: 1 }], views: 1 });
    await log.close();
  });

  it('keeps views whose write failed for the next flush, saying so, and writes them once it can', async () => {
    const since = await head();
    const errors: string[] = [];
    let failures = 2;
    const log = new CropViewLog({
      write: async (entry) => {
        if (failures-- > 0) throw new Error('database unavailable');
        await write(entry);
      },
      flushIntervalMs: 10_000,
      logError: (message) => errors.push(message),
    });
    const viewer = { id: randomUUID(), role: 'investigator' };
    const [a, b] = [randomUUID(), randomUUID()];
    log.record({ actor: viewer, request: null, kind: 'candidate', id: a, outcome: 'success' });
    await log.flush();
    log.record({ actor: viewer, request: null, kind: 'candidate', id: b, outcome: 'success' });
    log.record({ actor: viewer, request: null, kind: 'candidate', id: a, outcome: 'success' });
    await log.flush();
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/not yet audited.*will retry.*database unavailable/);
    await log.flush();
    const events = await cropViewEvents(since);
    expect(events).toHaveLength(1);
    expect((events[0]!.payload as CropViewPayload).crops.sort((x, y) => x.id.localeCompare(y.id))).toEqual(
      [{ kind: 'candidate', id: a, count: 2 }, { kind: 'candidate', id: b, count: 1 }].sort((x, y) => x.id.localeCompare(y.id)),
    );
    await log.close();
  });

  it('never drops views quietly: views that cannot be written are logged in full as lost', async () => {
    const logged: { message: string; detail: unknown }[] = [];
    const log = new CropViewLog({
      write: async () => {
        throw new Error('disk full');
      },
      maxAttempts: 3,
      logError: (message, detail) => logged.push({ message, detail }),
    });
    const crop = randomUUID();
    log.record({ actor: { id: randomUUID(), role: 'investigator' }, request: null, kind: 'probe_face', id: crop, outcome: 'success' });
    await log.flush();
    await log.flush();
    await log.flush();
    expect(log.pendingViews).toBe(0);
    expect(logged.at(-1)?.message).toMatch(/AUDIT RECORD LOST: 1 crop view/);
    expect(JSON.stringify(logged.at(-1)?.detail)).toContain(crop);

    // At shutdown, what is still failing has no later flush: reported lost too.
    const shutdown = new CropViewLog({ write: async () => Promise.reject(new Error('gone')), logError: (message, detail) => logged.push({ message, detail }) });
    const other = randomUUID();
    shutdown.record({ actor: { id: randomUUID(), role: 'admin' }, request: null, kind: 'enrolled_face', id: other, outcome: 'success' });
    await shutdown.close();
    expect(logged.at(-1)?.message).toMatch(/AUDIT RECORD LOST.*shutting down/);
    expect(JSON.stringify(logged.at(-1)?.detail)).toContain(other);
  });
});
