import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { problemCodeOf } from '@/lib/server/api/api-call';
import { problemDocument, STATUS_OF } from '@/lib/server/api/api-response';
import { digestSearchForm, probeFaceKeyFor } from '@/lib/server/api/api-search';
import { buildOpenApiDocument } from '@/lib/server/api/openapi-document';
import { API_PROBLEM_CODES, MAX_API_SEARCH_REQUEST_BYTES, searchFieldsSchema } from '@/lib/shared/schemas/api-v1';

const CONTRACT_PATHS = [
  '/api/v1/token',
  '/api/v1/watchlists',
  '/api/v1/searches',
  '/api/v1/searches/{id}',
  '/api/v1/searches/{id}/candidates/{candidateId}/crop',
  '/api/v1/searches/{id}/probe-crop',
  '/api/v1/searches/{id}/decisions',
];

describe('the OpenAPI document', () => {
  const document = buildOpenApiDocument() as unknown as { openapi: string; paths: Record<string, Record<string, { responses: Record<string, unknown> }>>; components: { schemas: Record<string, unknown> } };

  it('is OpenAPI 3.1 with every route of the contract and no enrolment or deletion', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths).sort()).toEqual([...CONTRACT_PATHS].sort());
    const methods = Object.values(document.paths).flatMap((item) => Object.keys(item));
    expect(methods.filter((method) => !['get', 'post'].includes(method))).toEqual([]);
  });

  it('has schemas ajv (draft 2020-12) compiles, which accept what the server sends and refuse what it must not', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addFormat('binary', true);
    ajv.addSchema(document, 'openapi');
    const problem = ajv.getSchema('openapi#/components/schemas/Problem')!;
    for (const code of API_PROBLEM_CODES) expect(problem(problemDocument(code, 'detail', '6f1e7c36-1f5e-4b8e-9d7a-3c2b1a0f9e8d')), code).toBe(true);
    expect(problem({ title: 'no type' })).toBe(false);
    const search = ajv.getSchema('openapi#/components/schemas/Search')!;
    const valid = {
      id: '6f1e7c36-1f5e-4b8e-9d7a-3c2b1a0f9e8d',
      createdAt: new Date().toISOString(),
      reference: 'INC-1',
      modelId: 'm',
      gallerySize: 1,
      watchlists: [],
      imageRetained: false,
      quality: { verdict: 'good', metrics: { sharpness: 60, yawDeg: null }, reasons: [] },
      probeFaceCount: 1,
      probeFaces: [{ position: 0, quality: { verdict: 'good', metrics: { sharpness: 60, yawDeg: null }, reasons: [] } }],
      probeCropUrl: '/x',
      reviewState: 'awaiting_first_review',
      candidates: [],
    };
    expect(search(valid)).toBe(true);
    expect(search({ ...valid, imageRetained: true })).toBe(false);
    // Several faces, each candidate naming the face that scored it best (null: that face is gone).
    const quality = { verdict: 'usable', metrics: {}, reasons: [] };
    const candidate = (rank: number, bestProbeFacePosition: number | null) => ({
      id: '6f1e7c36-1f5e-4b8e-9d7a-3c2b1a0f9e8d',
      rank,
      subject: { id: '6f1e7c36-1f5e-4b8e-9d7a-3c2b1a0f9e8d', reference: 'S', name: 'N' },
      watchlist: { id: '6f1e7c36-1f5e-4b8e-9d7a-3c2b1a0f9e8d', name: 'L' },
      score: { raw: 0.5, falseMatchRate: 0.001, expectedFpir: 0.01, words: 'w' },
      cropUrl: '/c',
      bestProbeFacePosition,
    });
    const several = { ...valid, probeFaceCount: 3, probeFaces: [0, 1, 2].map((position) => ({ position, quality })), candidates: [candidate(1, 2), candidate(2, null)] };
    expect(search(several), ajv.errorsText(search.errors)).toBe(true);
    const { probeFaceCount: _count, ...withoutCount } = valid;
    expect(search(withoutCount)).toBe(false);
    expect(search({ ...several, candidates: [{ ...candidate(1, 0), bestProbeFacePosition: -1 }] })).toBe(false);
    expect(search({ ...several, probeFaceCount: 11 })).toBe(false);
  });

  it('documents several faces as repeated parts, at most ten, within the one body limit', () => {
    const request = document.components.schemas.SearchRequest as { properties: Record<string, { type?: string; maxItems?: number; description?: string; items?: { format?: string } }> };
    for (const part of ['image', 'crop', 'embedding']) {
      expect(request.properties[part]!.type, part).toBe('array');
      expect(request.properties[part]!.maxItems, part).toBe(10);
    }
    expect(request.properties.image!.items!.format).toBe('binary');
    expect(request.properties.image!.description).toContain(`${MAX_API_SEARCH_REQUEST_BYTES / 1024 / 1024} MiB`);
    expect(request.properties.image!.description).toContain('faces[0]');
  });
});

describe('API request helpers', () => {
  it('maps the wrapper’s field errors to the API’s problem codes and statuses', () => {
    expect(problemCodeOf({ code: 'VALIDATION', message: '', fieldErrors: { 'payload.face.embedding': ['x'] } })).toBe('EMBEDDING_MISMATCH');
    expect(problemCodeOf({ code: 'VALIDATION', message: '', fieldErrors: { 'payload.face.modelId': ['x'] } })).toBe('MODEL_MISMATCH');
    expect(problemCodeOf({ code: 'VALIDATION', message: '', fieldErrors: { crop: ['x'] } })).toBe('INVALID_CROP');
    expect(problemCodeOf({ code: 'VALIDATION', message: '', fieldErrors: { qualityOverrideReason: ['x'] } })).toBe('QUALITY_BELOW_POLICY');
    expect(problemCodeOf({ code: 'CASE_CLOSED', message: '' })).toBe('CASE_CLOSED');
    expect(STATUS_OF.RATE_LIMITED).toBe(429);
    expect(STATUS_OF.IDEMPOTENCY_KEY_REUSED).toBe(422);
  });

  it('derives one probe-face key per client and Idempotency-Key, shaped as a UUID the schema accepts', () => {
    const key = probeFaceKeyFor('client-a', 'k1');
    expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(probeFaceKeyFor('client-a', 'k1')).toBe(key);
    expect(probeFaceKeyFor('client-b', 'k1')).not.toBe(key);
    expect(probeFaceKeyFor('client-a', null)).not.toBe(probeFaceKeyFor('client-a', null));
  });

  it('digests a search by its fields and files, whatever the order or the multipart boundary', () => {
    const image = new Uint8Array([1, 2, 3]);
    const form = (fields: Record<string, string>, images: Uint8Array[]) => ({ fields, images, crops: [], embeddings: [], modelIds: [], oversized: null });
    const a = digestSearchForm(form({ reference: 'R-1', purpose: 'p'.repeat(12) }, [image]));
    const b = digestSearchForm(form({ purpose: 'p'.repeat(12), reference: 'R-1' }, [new Uint8Array([1, 2, 3])]));
    expect(a).toBe(b);
    expect(digestSearchForm(form({ reference: 'R-2', purpose: 'p'.repeat(12) }, [image]))).not.toBe(a);
    expect(digestSearchForm(form({ reference: 'R-1', purpose: 'p'.repeat(12) }, [new Uint8Array([1, 2, 4])]))).not.toBe(a);
  });

  it('digests every face of a multi-face search: another, a changed or a reordered face is another request', () => {
    const [first, second, third] = [new Uint8Array([1]), new Uint8Array([2]), new Uint8Array([3])];
    const fields = { reference: 'R-1', purpose: 'p'.repeat(12) };
    const photos = (images: Uint8Array[]) => digestSearchForm({ fields, images, crops: [], embeddings: [], modelIds: [], oversized: null });
    const digests = [photos([first!]), photos([first!, second!]), photos([first!, second!, third!]), photos([first!, third!]), photos([second!, first!])];
    expect(new Set(digests).size).toBe(digests.length);
    expect(photos([first!, second!])).toBe(photos([new Uint8Array([1]), new Uint8Array([2])]));
    // Embeddings past the first are digested too, not only the first (which `fields` holds).
    const crops = [first!, second!];
    const byEmbedding = (embeddings: string[]) => digestSearchForm({ fields: { ...fields, embedding: embeddings[0]!, modelId: 'm' }, images: [], crops, embeddings, modelIds: ['m'], oversized: null });
    expect(byEmbedding(['[1]', '[2]'])).not.toBe(byEmbedding(['[1]', '[3]']));
  });

  it('derives a different probe-face key for each face of a request, the first face keeping the one-face key', () => {
    expect(probeFaceKeyFor('client-a', 'k1', 0)).toBe(probeFaceKeyFor('client-a', 'k1'));
    const keys = [0, 1, 2, 9].map((position) => probeFaceKeyFor('client-a', 'k1', position));
    expect(new Set(keys).size).toBe(4);
    for (const key of keys) expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('requires reference, purpose and operator, and reads comma-separated watch-lists', () => {
    const missing = searchFieldsSchema.safeParse({});
    expect(missing.success).toBe(false);
    expect(new Set(missing.error!.issues.map((issue) => issue.path[0]))).toEqual(new Set(['reference', 'purpose', 'operator']));
    const parsed = searchFieldsSchema.parse({ reference: 'INC-1', purpose: 'Identify the person stopped', operator: 'PC-1', watchlists: ' 6f1e7c36-1f5e-4b8e-9d7a-3c2b1a0f9e8d, ', listSize: '5' });
    expect(parsed.watchlists).toEqual(['6f1e7c36-1f5e-4b8e-9d7a-3c2b1a0f9e8d']);
    expect(parsed.listSize).toBe(5);
    expect(parsed.acknowledgeOverdueReview).toBe(false);
  });
});
