import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkQdrantVersion, parseQdrantVersion, QdrantVectorIndex } from '@/lib/server/vector/qdrant-index';
import { isVectorIndexError } from '@/lib/server/vector/vector-index';

// NOT a test of Qdrant. A local HTTP server answers in the shapes Qdrant's OpenAPI document gives
// (VersionInfo at `/`, `{ result, status: "ok", time }` on success, ErrorResponse
// `{ status: { error }, time }` on failure), to test what this adapter sends and how it reads the
// answers: the version check, Qdrant's error messages, the write ordering and read consistency it asks
// for. Whether Qdrant itself behaves as the adapter expects is for the contract suite against a real
// server (tests/integration/vector/vector-index-contract.test.ts, run when QDRANT_URL is set).

type Canned = { status: number; body: unknown };
type Recorded = { method: string; path: string; query: URLSearchParams; body: unknown };

const DIM = 4;
let server: Server;
let url: string;
let version = '1.19.0';
let recorded: Recorded[] = [];
/** Per "METHOD /path-suffix" a canned answer that replaces the default one. */
let overrides = new Map<string, Canned>();

const ok = (result: unknown): Canned => ({ status: 200, body: { result, status: 'ok', time: 0.0001 } });

function answer(method: string, path: string): Canned {
  if (method === 'GET' && path === '/') return { status: 200, body: { title: 'qdrant - vector search engine', version, commit: null } };
  const route = `${method} ${path.replace(/^\/collections\/[^/]+/, '')}`;
  const override = overrides.get(route);
  if (override) return override;
  switch (route) {
    case 'GET /exists':
      return ok({ exists: true });
    case 'GET ':
      return ok({ status: 'green', config: { params: { vectors: { size: DIM, distance: 'Cosine' } } }, payload_schema: { watchlistId: { data_type: 'keyword', points: 0 } } });
    case 'PUT /points':
    case 'POST /points/delete':
      return ok({ operation_id: 1, status: 'completed' });
    case 'POST /points/query':
      return ok({ points: [{ id: '0d0a3c8e-3f5b-4c59-9a55-0f6f5e0f4a11', version: 1, score: 0.93, payload: { watchlistId: 'wl', subjectId: 's', enrolledFaceId: 'f', expiresAt: null } }] });
    case 'POST /points/count':
      return ok({ count: 1 });
    case 'POST /points/scroll':
      return ok({ points: [{ id: '0d0a3c8e-3f5b-4c59-9a55-0f6f5e0f4a11' }], next_page_offset: null });
    default:
      return { status: 404, body: { status: { error: `Not found: no canned answer for ${route}` }, time: 0 } };
  }
}

async function readBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}

beforeAll(async () => {
  server = createServer(async (request, response) => {
    const parsed = new URL(request.url ?? '/', 'http://localhost');
    recorded.push({ method: request.method ?? '', path: parsed.pathname, query: parsed.searchParams, body: await readBody(request) });
    const { status, body } = answer(request.method ?? '', parsed.pathname);
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  version = '1.19.0';
  recorded = [];
  overrides = new Map();
});

const newIndex = () => new QdrantVectorIndex({ url, shards: 1, replicationFactor: 3 });
const point = (vector: number[]) => ({
  id: '0d0a3c8e-3f5b-4c59-9a55-0f6f5e0f4a11',
  vector: Float32Array.from(vector),
  payload: { watchlistId: 'wl', subjectId: 's', enrolledFaceId: 'f', expiresAt: null },
});
const failureOf = (promise: Promise<unknown>) => promise.then(() => null, (error: unknown) => error);

describe('the supported Qdrant versions', () => {
  it('parses the versions servers report', () => {
    expect(parseQdrantVersion('1.19.0')).toEqual({ major: 1, minor: 19, patch: 0 });
    expect(parseQdrantVersion('v1.10.1')).toEqual({ major: 1, minor: 10, patch: 1 });
    expect(parseQdrantVersion('1.12.0-dev')).toEqual({ major: 1, minor: 12, patch: 0 });
    expect(parseQdrantVersion('1.13')).toEqual({ major: 1, minor: 13, patch: 0 });
    expect(parseQdrantVersion('latest')).toBeNull();
    expect(parseQdrantVersion(undefined)).toBeNull();
  });

  it('accepts 1.10 up to, not including, 2.0', () => {
    for (const accepted of ['1.10.0', '1.10.1', '1.19.0', '1.99.3']) expect(checkQdrantVersion(accepted).isSupported).toBe(true);
    for (const refused of ['1.9.7', '0.11.3', '2.0.0', 'dev']) expect(checkQdrantVersion(refused).isSupported).toBe(false);
    expect(checkQdrantVersion('1.9.7')).toMatchObject({ reason: expect.stringMatching(/Qdrant 1\.9\.7, older than this adapter needs .*>= 1\.10\.0 and < 2\.0\.0/) });
    expect(checkQdrantVersion('2.0.0')).toMatchObject({ reason: expect.stringMatching(/major version this adapter has not been checked against/) });
  });
});

describe('QdrantVectorIndex over HTTP (canned Qdrant-shaped answers, not a Qdrant server)', () => {
  it('refuses a server older than it supports before touching any collection', async () => {
    version = '1.9.7';
    const index = newIndex();
    const error = await failureOf(index.search('m@1', { vector: Float32Array.from([1, 0, 0, 0]), limit: 5, watchlistIds: ['wl'] }));
    expect(isVectorIndexError(error, 'UNAVAILABLE')).toBe(true);
    expect(String(error)).toMatch(new RegExp(`Qdrant at ${url.replace(/[.]/g, '\\.')} cannot be used: the server is Qdrant 1\\.9\\.7, older than this adapter needs`));
    expect(recorded.map((request) => `${request.method} ${request.path}`)).toEqual(['GET /']);
    expect(await index.health()).toMatchObject({ ok: false, detail: expect.stringMatching(/cannot be used: the server is Qdrant 1\.9\.7/) });
  });

  it('asks the version once, then works; a refused server is asked again after an upgrade', async () => {
    version = '2.1.0';
    const index = newIndex();
    await expect(index.ensureCollection({ modelId: 'm@1', dimension: DIM })).rejects.toThrow(/major version this adapter has not been checked against/);
    version = '1.19.0';
    await index.ensureCollection({ modelId: 'm@1', dimension: DIM });
    await index.search('m@1', { vector: Float32Array.from([1, 0, 0, 0]), limit: 5, watchlistIds: ['wl'] });
    await index.count('m@1');
    expect(recorded.filter((request) => request.path === '/')).toHaveLength(2);
    expect(await index.health()).toMatchObject({ ok: true, detail: expect.stringMatching(/Qdrant 1\.19\.0 .*supported: >= 1\.10\.0 and < 2\.0\.0/) });
  });

  it("keeps Qdrant's own error message instead of the bare HTTP status", async () => {
    const index = newIndex();
    overrides.set('PUT /points', { status: 400, body: { status: { error: 'Wrong input: Vector dimension error: expected dim: 4, got 5' }, time: 0.0002 } });
    const refused = await failureOf(index.upsert('m@1', [point([1, 0, 0, 0])]));
    expect(isVectorIndexError(refused, 'INVALID_INPUT')).toBe(true);
    expect(String(refused)).toMatch(/Qdrant refused the request \(400\): Wrong input: Vector dimension error: expected dim: 4, got 5/);
    expect(String(refused)).not.toMatch(/Bad Request/);

    overrides.set('POST /points/query', { status: 500, body: { status: { error: 'Service internal error: 1 of 1 read operations failed' }, time: 0.1 } });
    const broken = await failureOf(index.search('m@1', { vector: Float32Array.from([1, 0, 0, 0]), limit: 5, watchlistIds: ['wl'] }));
    expect(isVectorIndexError(broken, 'UNAVAILABLE')).toBe(true);
    expect(String(broken)).toMatch(/Qdrant unavailable \(500\): Service internal error: 1 of 1 read operations failed/);

    overrides.set('GET ', { status: 404, body: { status: { error: "Not found: Collection `faces-m-1` doesn't exist!" }, time: 0 } });
    const missing = await failureOf(newIndex().search('m@1', { vector: Float32Array.from([1, 0, 0, 0]), limit: 5, watchlistIds: ['wl'] }));
    expect(isVectorIndexError(missing, 'UNKNOWN_COLLECTION')).toBe(true);
    expect(String(missing)).toMatch(/no Qdrant collection for model m@1: Not found: Collection `faces-m-1` doesn't exist!/);
  });

  it('writes with wait and strong ordering, and reads with majority consistency', async () => {
    const index = newIndex();
    await index.ensureCollection({ modelId: 'm@1', dimension: DIM });
    await index.upsert('m@1', [point([1, 0, 0, 0])]);
    await index.deleteByIds('m@1', ['0d0a3c8e-3f5b-4c59-9a55-0f6f5e0f4a11']);
    await index.deleteByWatchlist('m@1', 'wl');
    const hits = await index.search('m@1', { vector: Float32Array.from([0, 1, 0, 0]), limit: 5, watchlistIds: ['wl'] });
    await index.listIds('m@1');

    const writes = recorded.filter((request) => request.path.endsWith('/points') && request.method === 'PUT' || request.path.endsWith('/points/delete'));
    expect(writes).toHaveLength(3);
    for (const write of writes) expect(Object.fromEntries(write.query)).toMatchObject({ wait: 'true', ordering: 'strong' });
    const reads = recorded.filter((request) => request.path.endsWith('/points/query') || request.path.endsWith('/points/scroll'));
    expect(reads).toHaveLength(2);
    for (const read of reads) expect(read.query.get('consistency')).toBe('majority');
    const query = reads.find((request) => request.path.endsWith('/points/query'))!;
    expect(query.body).toMatchObject({ limit: 5, params: { exact: true }, filter: { must: [{ key: 'watchlistId', match: { value: 'wl' } }] } });
    expect(hits).toEqual([{ id: '0d0a3c8e-3f5b-4c59-9a55-0f6f5e0f4a11', score: 0.93, payload: { watchlistId: 'wl', subjectId: 's', enrolledFaceId: 'f', expiresAt: null } }]);
  });
});
