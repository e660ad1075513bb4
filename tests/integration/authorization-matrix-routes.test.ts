import { dirname, join, relative, sep } from 'node:path';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Database } from '@/lib/server/db/database';
import { ROLE_HOME } from '@/lib/shared/roles';
import { MATRIX_ACTORS, ROUTE_MATRIX, type MatrixActor, type RouteOutcome } from '@/lib/shared/security/authorization-matrix';
import { listRoutes } from '../support/app-surface';
import { buildAttackWorld, type AttackWorld } from '../support/attack-world';
import { requestScope } from '../support/request-scope';
import { changesSince, takeSnapshot } from '../support/state-snapshot';
import { openMemoryDatabase } from '../support/test-database';

// Every page and API route against every kind of caller, with the objects of team A the matrix
// names: the route's own modules (the page with the layouts above it, or the route handler) called
// as Next.js calls them, on a real database with real crop and pack files, each call carrying a real
// session cookie. What this adds to the HTTP walk in tests/e2e/authorization-matrix.spec.ts: objects
// of every kind and state (a search awaiting its second review, an approved pack, a dispute), and the
// state checks: a refused signed-in caller leaves exactly one refused audit event and nothing else.

vi.mock('next/headers', () => import('../support/request-scope'));
vi.mock('next/cache', () => ({ revalidatePath: () => undefined, revalidateTag: () => undefined }));
// Pages only bind these to their sign-out forms; Auth.js itself cannot load outside Next.js.
vi.mock('@/lib/actions/auth', () => ({ signOutNow: async () => undefined, signInWithPassword: async () => ({}) }));

const dataDir = vi.hoisted(() => {
  const { mkdtempSync } = require('node:fs') as typeof import('node:fs');
  const { tmpdir } = require('node:os') as typeof import('node:os');
  const { join } = require('node:path') as typeof import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'rfr-attack-routes-'));
  process.env.DATA_DIR = dir;
  process.env.AUTH_SECRET ??= 'attack-suite-secret-that-is-long-enough-0123456789';
  // next.config.js turns on authInterrupts; forbidden() checks for it.
  process.env.__NEXT_EXPERIMENTAL_AUTH_INTERRUPTS = 'true';
  return dir;
});

let database: Database;
let world: AttackWorld;
let objects: Awaited<ReturnType<AttackWorld['routeObjects']>>;
const tried = { routes: 0, refusals: 0, grants: 0 };

/** The ids each dynamic route is tried with: the objects the matrix's comments name. */
function paramsFor(key: string): Record<string, string> {
  const byRoute: Record<string, Record<string, string>> = {
    'GET /cases/[caseId]': { caseId: objects.caseId },
    'GET /cases/[caseId]/searches/[searchId]': { caseId: objects.awaiting.caseId, searchId: objects.awaiting.searchId },
    'GET /reviews/[searchId]': { searchId: objects.awaiting.searchId },
    'GET /disclosures/[disclosureId]': { disclosureId: objects.pendingDisclosureId },
    'GET /disclosures/[disclosureId]/pack': { disclosureId: objects.approvedDisclosureId },
    'GET /disputes/[disputeId]': { disputeId: objects.disputeId },
    'GET /admin/watchlists/[watchlistId]': { watchlistId: objects.watchlistId },
    'GET /api/crops/probe/[id]': { id: objects.probeFaceId },
    'GET /api/crops/candidate/[id]': { id: objects.candidateId },
    'GET /api/crops/enrolled/[id]': { id: objects.enrolledFaceId },
    'GET /api/disclosures/[id]/pack': { id: objects.approvedDisclosureId },
    'GET /api/v1/docs/assets/[file]': { file: 'swagger-ui.css' },
    'GET /api/v1/searches/[id]': { id: objects.awaiting.searchId },
    'GET /api/v1/searches/[id]/probe-crop': { id: objects.awaiting.searchId },
    'GET /api/v1/searches/[id]/candidates/[candidateId]/crop': { id: objects.awaiting.searchId, candidateId: objects.candidateId },
    'POST /api/v1/searches/[id]/decisions': { id: objects.awaiting.searchId },
  };
  const params = byRoute[key];
  if (params) return params;
  if (key.includes('[')) throw new Error(`${key} has dynamic segments: say in paramsFor which object of team A it is tried with`);
  return {};
}

/** The layouts between app/ and the page (the root layout gates nothing and needs a real request). */
function layoutsAbove(pageFile: string): string[] {
  const app = join(process.cwd(), 'app');
  const layouts: string[] = [];
  for (let dir = dirname(join(process.cwd(), pageFile)); dir !== app && dir.startsWith(app); dir = dirname(dir)) {
    if (existsSync(join(dir, 'layout.tsx'))) layouts.unshift(join(dir, 'layout.tsx'));
  }
  return layouts;
}

/** What Next.js makes of an interrupt thrown while rendering (redirect(), forbidden(), notFound()). */
function interruptOutcome(error: unknown, actor: MatrixActor): string {
  const digest = (error as { digest?: unknown } | null)?.digest;
  if (typeof digest !== 'string') throw error;
  if (digest.startsWith('NEXT_REDIRECT;')) {
    const location = digest.split(';')[2]!;
    if (location === '/sign-in') return 'sign-in';
    if (actor !== 'anonymous' && location === ROLE_HOME[world.actors[actor].role]) return 'home';
    return `redirect to ${location}`;
  }
  const status = /^NEXT_HTTP_ERROR_FALLBACK;(\d+)$/.exec(digest)?.[1];
  if (status) return status;
  throw error;
}

async function visitPage(file: string, params: Record<string, string>, actor: MatrixActor): Promise<string> {
  const props = { params: Promise.resolve(params), searchParams: Promise.resolve({}), children: null };
  const modules = await Promise.all([...layoutsAbove(file), join(process.cwd(), file)].map((path) => import(path) as Promise<{ default: (p: unknown) => unknown }>));
  // Next.js renders a page's layouts and the page together: every one of them runs, and the
  // outermost one that interrupts decides the answer.
  const settled = await Promise.allSettled(modules.map(async (module) => module.default(props)));
  const interrupted = settled.find((result) => result.status === 'rejected');
  return interrupted ? interruptOutcome(interrupted.reason, actor) : 'ok';
}

async function callHandler(file: string, method: string, path: string, params: Record<string, string>): Promise<{ outcome: string; body: string }> {
  const loaded = (await import(join(process.cwd(), file))) as Record<string, (request: Request, context: unknown) => Promise<Response>>;
  const response = await loaded[method]!(new Request(`http://127.0.0.1${path}`, { method, headers: { 'user-agent': 'attack-suite' } }), { params: Promise.resolve(params) });
  const body = response.headers.get('content-type')?.includes('json') ? await response.text() : '';
  if (response.status === 200 && body && Object.keys(JSON.parse(body)).join() === 'status') return { outcome: 'ok-anonymous', body };
  return { outcome: response.status === 200 ? 'ok' : String(response.status), body };
}

async function flushCropViews() {
  const { getCropViewLog } = await import('@/lib/server/audit/crop-view-log');
  await getCropViewLog().flush();
}

beforeAll(async () => {
  database = await openMemoryDatabase();
  (globalThis as { __rfrDatabase?: Promise<Database> }).__rfrDatabase = Promise.resolve(database);
  world = await buildAttackWorld(database, dataDir);
  objects = await world.routeObjects();
}, 300_000);

afterAll(async () => {
  console.log(`[authorisation matrix] ${tried.routes} route cases tried: ${tried.refusals} refusals checked, ${tried.grants} grants checked`);
  const { closeCropViewLog } = await import('@/lib/server/audit/crop-view-log');
  await closeCropViewLog().catch(() => undefined);
  const { closeVectorIndex } = await import('@/lib/server/vector/get-vector-index');
  await closeVectorIndex().catch(() => undefined);
  (globalThis as { __rfrDatabase?: Promise<Database> }).__rfrDatabase = undefined;
  await database?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const isGrant = (outcome: RouteOutcome) => outcome === 'ok' || outcome === 'ok-anonymous' || outcome === 'home';

describe('every route × every kind of caller', () => {
  const routes = listRoutes();
  for (const [key, row] of Object.entries(ROUTE_MATRIX)) {
    it(key, async () => {
      const route = routes.find((entry) => entry.key === key);
      expect(route, `${key} is in ROUTE_MATRIX but app/ has no such route`).toBeDefined();
      const [method, pattern] = key.split(' ') as [string, string];
      const params = paramsFor(key);
      const path = pattern.replace(/\[(\w+)\]/g, (_, name: string) => params[name]!);
      const wrong: string[] = [];
      for (const actor of MATRIX_ACTORS) {
        const expected = row[actor];
        requestScope.sessionCookie = actor === 'anonymous' ? null : await world.sessionCookieFor(world.actors[actor]);
        const before = await takeSnapshot(database, dataDir);
        const isPage = route!.file.endsWith('page.tsx');
        const { outcome, body } = isPage ? { outcome: await visitPage(route!.file, params, actor), body: '' } : await callHandler(route!.file, method, path, params);
        await flushCropViews();
        tried.routes += 1;
        if (isGrant(expected)) tried.grants += 1;
        else tried.refusals += 1;
        if (outcome !== expected) {
          wrong.push(`${actor}: expected ${expected}, got ${outcome}${isGrant(outcome as RouteOutcome) && !isGrant(expected) ? ' — UNEXPECTED GRANT' : ''}${body ? ` ${body.slice(0, 200)}` : ''}`);
          continue;
        }
        if (isGrant(expected) || actor === 'anonymous') continue;
        // A signed-in caller refused: one refused audit event (who looked where), nothing else.
        const { changes, auditEvents } = await changesSince(database, dataDir, before);
        if (changes.length > 0) wrong.push(`${actor}: a refusal changed more than the audit log: ${changes.join('; ')}`);
        // The v1 API knows only bearer tokens: a browser session is no one there, so its refusal is
        // audited without a user (and names no client), whoever's cookie came with it.
        const refusedActorId = key.includes(' /api/v1/') ? null : world.actors[actor].id;
        const refused = auditEvents.filter((event) => event.outcome === 'refused' && event.actorId === refusedActorId);
        if (refused.length !== 1 || auditEvents.length !== 1) {
          wrong.push(`${actor}: expected exactly one refused audit event, got ${JSON.stringify(auditEvents.map((e) => [e.action, e.outcome, e.targetId, e.payload.code ?? e.payload.permission]))}`);
        }
      }
      expect(wrong, `${key} (${route ? relative(process.cwd(), route.file).split(sep).join('/') : '?'}):\n  ${wrong.join('\n  ')}`).toEqual([]);
    });
  }
});
