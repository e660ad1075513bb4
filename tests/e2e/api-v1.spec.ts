import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { expect, request as playwrightRequest, test, type APIRequestContext, type APIResponse, type Page } from '@playwright/test';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { SignJWT } from 'jose';
import { hasLfw, lfwImage, lfwMissingMessage } from '../support/lfw';
import { signInAs } from './support';
import { enrolWatchlist } from './support-faces';

// The /api/v1 contract over real HTTP against the app as users start it: clients registered in the
// admin console, tokens, searches of real LFW faces by photo and by embedding + crop, the refusals,
// idempotency, the rate limit and the operator's decisions. Every response is validated against the
// OpenAPI document the server publishes (ajv, draft 2020-12).

const run = promisify(execFile);
const ROOT = process.cwd();
const DATA_DIR = resolve(ROOT, 'tests/artifacts/e2e-data');
const WATCHLIST = 'API suspects';
const OTHER_LIST = 'API other list';
const TEAM = 'Demo investigations team';
const PEOPLE = ['Colin_Powell', 'Serena_Williams', 'Gerhard_Schroeder'];
const PURPOSE = 'Identify a person stopped in the street who will not give their name';

test.skip(!hasLfw, lfwMissingMessage);
test.describe.configure({ mode: 'serial' });
test.setTimeout(300_000);

type Client = { clientId: string; secret: string };
const state: {
  api?: APIRequestContext;
  document?: { paths: Record<string, unknown> };
  validate?: (method: string, path: string, response: APIResponse, body: unknown) => void;
  main?: Client;
  slow?: Client;
  doomed?: Client;
  token?: string;
  watchlistId?: string;
  otherListId?: string;
  firstSearch?: { id: string; candidates: { id: string; rank: number; subject: { reference: string }; score: { raw: number }; cropUrl: string }[]; probeCropUrl: string };
  admin?: Page;
} = {};

async function registerClient(admin: Page, name: string, rate: string): Promise<Client> {
  await admin.goto('/admin/api-clients');
  await admin.getByLabel('Client name').fill(name);
  await admin.getByLabel('Team').selectOption({ label: TEAM });
  await admin.getByRole('group', { name: 'Watch-lists it may search' }).getByRole('checkbox', { name: WATCHLIST, exact: true }).check();
  await admin.getByLabel('Rate limit').fill(rate);
  await admin.getByRole('button', { name: 'Register client' }).click();
  await expect(admin.getByText('Client registered.')).toBeVisible();
  const clientId = (await admin.getByTestId('client-id').textContent())!.trim();
  const secret = (await admin.getByTestId('client-secret').textContent())!.trim();
  await expect(admin.getByRole('row', { name: new RegExp(name) })).toContainText('active');
  return { clientId, secret };
}

function pointer(...parts: string[]): string {
  return parts.map((part) => encodeURIComponent(part.replaceAll('~', '~0').replaceAll('/', '~1'))).join('/');
}

async function takeToken(client: Client): Promise<APIResponse> {
  return state.api!.post('/api/v1/token', { form: { grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.secret } });
}

function bearer(token = state.token!) {
  return { authorization: `Bearer ${token}` };
}

async function expectProblem(method: string, path: string, response: APIResponse, status: number, code: string) {
  const body = await response.json();
  expect(response.status(), JSON.stringify(body)).toBe(status);
  expect(response.headers()['content-type']).toContain('application/problem+json');
  state.validate!(method, path, response, body);
  expect(body).toMatchObject({ status, code });
  expect(body.eventId).toMatch(/^[0-9a-f-]{36}$/);
  return body;
}

function searchForm(fields: Record<string, string>, files: Record<string, { name: string; mimeType: string; buffer: Buffer }> = {}) {
  return { multipart: { ...fields, ...files } };
}

function filesContaining(root: string, needle: Buffer): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((path) => statSync(path).size < 512 * 1024 * 1024 && readFileSync(path).includes(needle));
}

const image = (name: string, index: number) => ({ name: `${name}.jpg`, mimeType: 'image/jpeg', buffer: readFileSync(lfwImage(name, index)) });

test('setup: an administrator enrols a watch-list and registers three clients in the console', async ({ browser }) => {
  const admin = await (await browser.newContext()).newPage();
  state.admin = admin;
  await signInAs(admin, 'admin');
  await enrolWatchlist(admin, WATCHLIST, PEOPLE.flatMap((name) => [lfwImage(name, 1), lfwImage(name, 2)]));
  await expect(admin.getByTestId('enrolment-summary')).toContainText('6 enrolled');
  state.watchlistId = new URL(admin.url()).pathname.split('/').pop();
  await admin.goto('/admin/watchlists');
  await admin.getByLabel('Name', { exact: true }).fill(OTHER_LIST);
  await admin.getByLabel('Purpose').fill('A list the API client is not allowed');
  await admin.getByLabel('Legal authority').fill('Test authority');
  await admin.getByLabel('Next review').fill('2027-06-30');
  await admin.getByRole('button', { name: 'Create watch-list' }).click();
  state.otherListId = (await admin.getByRole('link', { name: OTHER_LIST }).getAttribute('href'))!.split('/').pop();

  state.main = await registerClient(admin, 'E2E partner app', '100/s');
  state.slow = await registerClient(admin, 'E2E slow app', '3/min');
  state.doomed = await registerClient(admin, 'E2E revoked app', '100/s');

  state.api = await playwrightRequest.newContext({ baseURL: test.info().project.use.baseURL });
  const documentResponse = await state.api.get('/api/v1/openapi.json');
  expect(documentResponse.status()).toBe(200);
  const document = await documentResponse.json();
  expect(document.openapi).toBe('3.1.0');
  state.document = document;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat('binary', true);
  ajv.addSchema(document, 'openapi');
  state.validate = (method, path, response, body) => {
    const type = (response.headers()['content-type'] ?? '').split(';')[0]!.trim();
    const ref = `openapi#/${pointer('paths', path, method, 'responses', String(response.status()), 'content', type, 'schema')}`;
    const validator = ajv.getSchema(ref);
    expect(validator, `${method.toUpperCase()} ${path} ${response.status()} ${type} is not in the OpenAPI document`).toBeTruthy();
    const isValid = validator!(body);
    expect(isValid, `${method.toUpperCase()} ${path} ${response.status()}: ${ajv.errorsText(validator!.errors)}`).toBe(true);
  };
});

test('client-credentials grant: a token for the right secret, problem documents otherwise', async () => {
  const granted = await takeToken(state.main!);
  const body = await granted.json();
  expect(granted.status()).toBe(200);
  state.validate!('post', '/api/v1/token', granted, body);
  expect(body.token_type).toBe('Bearer');
  expect(body.expires_in).toBe(300);
  expect(granted.headers()['cache-control']).toContain('no-store');
  state.token = body.access_token;

  const wrong = await state.api!.post('/api/v1/token', { form: { grant_type: 'client_credentials', client_id: state.main!.clientId, client_secret: 'rfr_not-the-secret' } });
  expect((await expectProblem('post', '/api/v1/token', wrong, 401, 'INVALID_CLIENT')).error).toBe('invalid_client');
  const grant = await state.api!.post('/api/v1/token', { form: { grant_type: 'password', client_id: state.main!.clientId, client_secret: state.main!.secret } });
  expect((await expectProblem('post', '/api/v1/token', grant, 400, 'UNSUPPORTED_GRANT_TYPE')).error).toBe('unsupported_grant_type');
});

test('watch-lists: only those this client may search, with their faces and version', async () => {
  const response = await state.api!.get('/api/v1/watchlists', { headers: { ...bearer(), 'x-operator-id': 'PC-1234' } });
  const body = await response.json();
  expect(response.status()).toBe(200);
  state.validate!('get', '/api/v1/watchlists', response, body);
  expect(body.watchlists).toEqual([{ id: state.watchlistId, name: WATCHLIST, faces: 6, version: expect.any(String) }]);
});

test('a photo search ranks the right person first; the search, its crops and nothing of the photo are kept', async () => {
  const response = await state.api!.post('/api/v1/searches', {
    headers: bearer(),
    ...searchForm({ reference: 'API-STOP-0001', purpose: PURPOSE, operator: 'PC-1234' }, { image: image('Colin_Powell', 3) }),
  });
  const body = await response.json();
  expect(response.status(), JSON.stringify(body)).toBe(201);
  state.validate!('post', '/api/v1/searches', response, body);
  expect(body.imageRetained).toBe(false);
  expect(body.gallerySize).toBe(6);
  expect(body.candidates[0].subject.reference).toBe('Colin_Powell');
  expect(body.candidates[0].watchlist).toEqual({ id: state.watchlistId, name: WATCHLIST });
  expect(body.candidates.map((candidate: { rank: number }) => candidate.rank)).toEqual(body.candidates.map((_: unknown, index: number) => index + 1));
  expect(body.candidates[0].score.words).toMatch(/gallery of 6/);
  state.firstSearch = body;

  const again = await state.api!.get(`/api/v1/searches/${body.id}`, { headers: bearer() });
  const read = await again.json();
  state.validate!('get', '/api/v1/searches/{id}', again, read);
  expect(read).toEqual(body);

  const crop = await state.api!.get(body.candidates[0].cropUrl, { headers: bearer() });
  expect(crop.status()).toBe(200);
  expect(crop.headers()['content-type']).toBe('image/png');
  expect((await crop.body()).subarray(1, 4).toString()).toBe('PNG');
  await expectProblem('get', '/api/v1/searches/{id}/candidates/{candidateId}/crop', await state.api!.get(body.candidates[0].cropUrl), 401, 'UNAUTHENTICATED');
  const probeCrop = await state.api!.get(body.probeCropUrl, { headers: bearer() });
  expect(probeCrop.status()).toBe(200);

  // The photo is nowhere in the data folder (files, database pages): only the aligned crop (a PNG) is stored.
  expect(filesContaining(DATA_DIR, image('Colin_Powell', 3).buffer.subarray(600, 700))).toEqual([]);
});

test('an embedding + crop search matches the photo search; a mismatched embedding or another model is refused', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'rfr-api-e2e-'));
  const other = await state.api!.post('/api/v1/searches', { headers: bearer(), ...searchForm({ reference: 'API-STOP-0002', purpose: PURPOSE, operator: 'PC-1234' }, { image: image('Serena_Williams', 3) }) });
  expect(other.status()).toBe(201);
  const otherSearch = await other.json();
  const cropPaths = [];
  for (const [index, url] of [state.firstSearch!.probeCropUrl, otherSearch.probeCropUrl].entries()) {
    const path = join(folder, `crop-${index}.png`);
    writeFileSync(path, await (await state.api!.get(url, { headers: bearer() })).body());
    cropPaths.push(path);
  }
  const { stdout } = await run(process.execPath, ['--conditions=react-server', '--import', 'tsx', 'scripts/support/embed-crop.ts', ...cropPaths], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
  const [colin, serena] = JSON.parse(stdout) as { modelId: string; embedding: number[] }[];
  const crop = (path: string) => ({ name: 'crop.png', mimeType: 'image/png', buffer: readFileSync(path) });

  const byEmbedding = await state.api!.post('/api/v1/searches', {
    headers: bearer(),
    ...searchForm({ reference: 'API-STOP-0001', purpose: PURPOSE, operator: 'PC-5678', embedding: JSON.stringify(colin!.embedding), modelId: colin!.modelId }, { crop: crop(cropPaths[0]!) }),
  });
  const body = await byEmbedding.json();
  expect(byEmbedding.status(), JSON.stringify(body)).toBe(201);
  state.validate!('post', '/api/v1/searches', byEmbedding, body);
  expect(body.candidates[0].subject.reference).toBe('Colin_Powell');
  expect(body.candidates[0].score.raw).toBeCloseTo(state.firstSearch!.candidates[0]!.score.raw, 3);

  const mismatched = await state.api!.post('/api/v1/searches', {
    headers: bearer(),
    ...searchForm({ reference: 'API-STOP-0001', purpose: PURPOSE, operator: 'PC-5678', embedding: JSON.stringify(serena!.embedding), modelId: serena!.modelId }, { crop: crop(cropPaths[0]!) }),
  });
  await expectProblem('post', '/api/v1/searches', mismatched, 422, 'EMBEDDING_MISMATCH');
  const wrongModel = await state.api!.post('/api/v1/searches', {
    headers: bearer(),
    ...searchForm({ reference: 'API-STOP-0001', purpose: PURPOSE, operator: 'PC-5678', embedding: JSON.stringify(colin!.embedding), modelId: 'someone-elses-model' }, { crop: crop(cropPaths[0]!) }),
  });
  await expectProblem('post', '/api/v1/searches', wrongModel, 422, 'MODEL_MISMATCH');
});

test('refusals: no token, expired token, revoked client, watch-list not allowed, missing fields, oversized and non-image', async () => {
  await expectProblem('get', '/api/v1/watchlists', await state.api!.get('/api/v1/watchlists'), 401, 'UNAUTHENTICATED');
  await expectProblem('post', '/api/v1/searches', await state.api!.post('/api/v1/searches', searchForm({ reference: 'API-X-1', purpose: PURPOSE, operator: 'PC-1' }, { image: image('Colin_Powell', 3) })), 401, 'UNAUTHENTICATED');

  const key = new Uint8Array(Buffer.from(readFileSync(join(DATA_DIR, 'api-token-key'), 'utf8').trim(), 'base64url'));
  const now = Math.floor(Date.now() / 1000);
  const expired = await new SignJWT({ rot: 0 })
    .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
    .setIssuer('rfr-workstation')
    .setAudience('rfr-api-v1')
    .setSubject(state.main!.clientId)
    .setJti('e2e-expired')
    .setIssuedAt(now - 600)
    .setExpirationTime(now - 300)
    .sign(key);
  await expectProblem('get', '/api/v1/watchlists', await state.api!.get('/api/v1/watchlists', { headers: bearer(expired) }), 401, 'TOKEN_EXPIRED');

  const doomedToken = (await (await takeToken(state.doomed!)).json()).access_token;
  expect((await state.api!.get('/api/v1/watchlists', { headers: bearer(doomedToken) })).status()).toBe(200);
  const admin = state.admin!;
  await admin.goto('/admin/api-clients');
  await admin.getByRole('button', { name: 'Revoke E2E revoked app' }).click();
  await admin.getByRole('dialog').getByRole('button', { name: 'Revoke client' }).click();
  // The client's own name contains "revoked", so the row's text proves nothing: wait for the Status cell, and
  // for the actions to go (a revoked client has none), i.e. for the revocation to have committed.
  const revokedRow = admin.getByRole('row', { name: /E2E revoked app/ });
  await expect(revokedRow.getByRole('cell').nth(6)).toHaveText('revoked');
  await expect(admin.getByRole('button', { name: 'Revoke E2E revoked app' })).toHaveCount(0);
  await expectProblem('get', '/api/v1/watchlists', await state.api!.get('/api/v1/watchlists', { headers: bearer(doomedToken) }), 401, 'CLIENT_REVOKED');
  await expectProblem('post', '/api/v1/token', await takeToken(state.doomed!), 401, 'CLIENT_REVOKED');

  const post = (fields: Record<string, string>, files: Record<string, { name: string; mimeType: string; buffer: Buffer }>) =>
    state.api!.post('/api/v1/searches', { headers: bearer(), ...searchForm(fields, files) });
  const photo = { image: image('Colin_Powell', 3) };
  const notAllowed = await expectProblem('post', '/api/v1/searches', await post({ reference: 'API-X-2', purpose: PURPOSE, operator: 'PC-1', watchlists: state.otherListId! }, photo), 403, 'WATCHLIST_NOT_ALLOWED');
  expect(notAllowed.detail).toContain(state.otherListId);
  const noReference = await expectProblem('post', '/api/v1/searches', await post({ purpose: PURPOSE, operator: 'PC-1' }, photo), 422, 'VALIDATION');
  expect(Object.keys(noReference.errors)).toEqual(['reference']);
  const noPurpose = await expectProblem('post', '/api/v1/searches', await post({ reference: 'API-X-3', operator: 'PC-1' }, photo), 422, 'VALIDATION');
  expect(Object.keys(noPurpose.errors)).toEqual(['purpose']);
  const oversized = { name: 'huge.jpg', mimeType: 'image/jpeg', buffer: Buffer.concat([readFileSync(lfwImage('Colin_Powell', 3)), Buffer.alloc(15 * 1024 * 1024)]) };
  await expectProblem('post', '/api/v1/searches', await post({ reference: 'API-X-4', purpose: PURPOSE, operator: 'PC-1' }, { image: oversized }), 413, 'IMAGE_TOO_LARGE');
  const text = { name: 'notes.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('this is not a photograph of anyone\n'.repeat(20)) };
  await expectProblem('post', '/api/v1/searches', await post({ reference: 'API-X-5', purpose: PURPOSE, operator: 'PC-1' }, { image: text }), 415, 'UNSUPPORTED_MEDIA_TYPE');
});

test('Idempotency-Key: a replay returns the first response; the same key with another body is 422', async () => {
  const key = `e2e-${Date.now()}`;
  const send = (reference: string) =>
    state.api!.post('/api/v1/searches', { headers: { ...bearer(), 'idempotency-key': key }, ...searchForm({ reference, purpose: PURPOSE, operator: 'PC-1234' }, { image: image('Gerhard_Schroeder', 3) }) });
  const first = await send('API-IDEM-0001');
  const firstBody = await first.json();
  expect(first.status(), JSON.stringify(firstBody)).toBe(201);
  const replay = await send('API-IDEM-0001');
  expect(replay.status()).toBe(201);
  expect(replay.headers()['idempotency-replayed']).toBe('true');
  const replayBody = await replay.json();
  state.validate!('post', '/api/v1/searches', replay, replayBody);
  expect(replayBody).toEqual(firstBody);
  await expectProblem('post', '/api/v1/searches', await send('API-IDEM-0002'), 422, 'IDEMPOTENCY_KEY_REUSED');
});

test('decisions are recorded as the first review; a second commit is a conflict', async () => {
  const search = state.firstSearch!;
  const decisions = search.candidates.map((candidate) =>
    candidate.rank === 1 ? { rank: 1, decision: 'possible_match', rationale: 'Same brow line, nose and ears at full size.' } : { rank: candidate.rank, decision: 'no_match' },
  );
  const path = `/api/v1/searches/${search.id}/decisions`;
  const response = await state.api!.post(path, { headers: bearer(), data: { operator: 'PC-1234', decisions } });
  const body = await response.json();
  expect(response.status(), JSON.stringify(body)).toBe(201);
  state.validate!('post', '/api/v1/searches/{id}/decisions', response, body);
  expect(body.reviewState).toBe('awaiting_second_review');
  expect(body.decisions[0]).toEqual({ candidateId: search.candidates[0]!.id, rank: 1, decision: 'possible_match' });
  await expectProblem('post', '/api/v1/searches/{id}/decisions', await state.api!.post(path, { headers: bearer(), data: { operator: 'PC-1234', decisions } }), 409, 'CONFLICT');
  const read = await (await state.api!.get(`/api/v1/searches/${search.id}`, { headers: bearer() })).json();
  expect(read.reviewState).toBe('awaiting_second_review');
});

test('the rate limit: 429 with Retry-After once the bucket is spent', async () => {
  const token = (await (await takeToken(state.slow!)).json()).access_token; // 1 of 3
  expect((await state.api!.get('/api/v1/watchlists', { headers: bearer(token) })).status()).toBe(200); // 2
  expect((await state.api!.get('/api/v1/watchlists', { headers: bearer(token) })).status()).toBe(200); // 3
  const limited = await state.api!.get('/api/v1/watchlists', { headers: bearer(token) });
  await expectProblem('get', '/api/v1/watchlists', limited, 429, 'RATE_LIMITED');
  expect(Number(limited.headers()['retry-after'])).toBeGreaterThanOrEqual(1);
  expect(Number(limited.headers()['retry-after'])).toBeLessThanOrEqual(20);
});

test('the audit log names the client and the officer on every step of a search', async () => {
  const exported = await state.admin!.request.get(`/api/audit/export?format=json&action=search.run`);
  expect(exported.status()).toBe(200);
  const { events } = (await exported.json()) as { events: { action: string; targetId: string | null; payload: { request?: { apiClientId?: string; operatorId?: string } } }[] };
  const run = events.find((event) => event.targetId === state.firstSearch!.id);
  expect(run?.payload.request).toMatchObject({ apiClientId: state.main!.clientId, operatorId: 'PC-1234' });
  const refusals = await (await state.admin!.request.get(`/api/audit/export?format=json&action=api.search.create&outcome=refused`)).json();
  type Refusal = { payload: { code: string; request?: { apiClientId?: string; operatorId?: string | null } } };
  const ours = (refusals.events as Refusal[]).filter((event) => event.payload.request?.apiClientId === state.main!.clientId);
  // Not allowed, no reference, no purpose, oversized, not an image, wrong model, key reused: each with the officer.
  expect(new Set(ours.map((event) => event.payload.code))).toEqual(
    new Set(['WATCHLIST_NOT_ALLOWED', 'VALIDATION', 'IMAGE_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE', 'MODEL_MISMATCH', 'IDEMPOTENCY_KEY_REUSED']),
  );
  expect(ours.every((event) => typeof event.payload.request?.operatorId === 'string')).toBe(true);
  // Without a token there is no client to name, but the refusal is still there.
  expect((refusals.events as Refusal[]).some((event) => event.payload.code === 'UNAUTHENTICATED' && !event.payload.request?.apiClientId)).toBe(true);
  // The mismatched embedding was refused by the workstation's own probe.record_face, for this client.
  const faces = await (await state.admin!.request.get(`/api/audit/export?format=json&action=probe.record_face&outcome=refused`)).json();
  expect((faces.events as Refusal[]).some((event) => event.payload.request?.apiClientId === state.main!.clientId)).toBe(true);
});

test('the example client searches a photo from the command line', async () => {
  const { stdout } = await run(process.execPath, [
    'scripts/api-example-client.mjs',
    '--url', test.info().project.use.baseURL!,
    '--token', state.token!,
    '--image', lfwImage('Serena_Williams', 4),
    '--reference', 'API-EXAMPLE-0001',
    '--purpose', PURPOSE,
    '--operator', 'PC-4321',
    '--json',
  ], { cwd: ROOT });
  const search = JSON.parse(stdout);
  expect(search.imageRetained).toBe(false);
  expect(search.candidates[0].subject.reference).toBe('Serena_Williams');
});

test('the docs page renders the contract offline under the Content-Security-Policy', async ({ page }) => {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
  });
  page.on('pageerror', (error) => violations.push(error.message));
  await page.goto('/api/v1/docs');
  await expect(page.getByRole('heading', { name: /RFR workstation search API/ })).toBeVisible();
  await expect(page.getByText('/api/v1/searches', { exact: true }).first()).toBeVisible();
  expect(violations).toEqual([]);
});
