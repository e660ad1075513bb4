import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Actor } from '@/lib/server/auth/current-actor';
import type { HealthReport } from '@/lib/server/health/check-health';

// GET /api/health: up or not for anyone (a load balancer signs in as no one); the installation's
// details only for an administrator's session.
const state = vi.hoisted(() => ({ actor: null as Actor | null | Error, report: null as HealthReport | null }));

vi.mock('@/lib/server/dal/require-permission', () => ({
  findSignedInActor: async () => {
    if (state.actor instanceof Error) throw state.actor;
    return state.actor;
  },
}));
vi.mock('@/lib/server/health/check-health', () => ({ checkHealth: async () => state.report }));

const { GET } = await import('@/app/api/health/route');

const healthy: HealthReport = {
  ok: true,
  checkedAt: '2026-12-02T10:00:00.000Z',
  components: {
    database: { ok: true, detail: 'pglite, 9 migrations applied' },
    vectorIndex: { ok: true, detail: 'embedded: /srv/rfr/data/vectors, 1204 faces' },
    models: { ok: true, detail: '3 models present, hashes match the manifest' },
  },
};
const actor = (role: Actor['role']): Actor => ({ id: '00000000-0000-4000-8000-000000000001', email: `${role}@t`, displayName: role, role, teamId: null });

async function call() {
  const response = await GET();
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, cache: response.headers.get('cache-control') };
}

beforeEach(() => {
  state.actor = null;
  state.report = healthy;
});

describe('GET /api/health', () => {
  it('tells an anonymous caller only that it is up', async () => {
    expect(await call()).toEqual({ status: 200, body: { status: 'ok' }, cache: 'no-store' });
  });

  it('tells an anonymous caller only that it is not, when a component fails', async () => {
    state.report = { ...healthy, ok: false, components: { ...healthy.components, database: { ok: false, detail: 'Cannot connect to PostgreSQL at db.internal:5432/rfr' } } };
    expect(await call()).toEqual({ status: 503, body: { status: 'error' }, cache: 'no-store' });
  });

  it('gives no details to a signed-in user who is not an administrator', async () => {
    for (const role of ['investigator', 'supervisor'] as const) {
      state.actor = actor(role);
      expect((await call()).body).toEqual({ status: 'ok' });
    }
  });

  it('gives the details to an administrator', async () => {
    state.actor = actor('admin');
    const { status, body } = await call();
    expect(status).toBe(200);
    expect(body).toEqual({ status: 'ok', ...healthy });
  });

  it('answers anonymously when the session cannot be read (database down)', async () => {
    state.actor = new Error('Cannot connect to PostgreSQL');
    state.report = { ...healthy, ok: false };
    expect(await call()).toEqual({ status: 503, body: { status: 'error' }, cache: 'no-store' });
  });
});
