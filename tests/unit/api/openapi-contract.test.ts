import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { problemCodeOf } from '@/lib/server/api/api-call';
import { problemDocument, STATUS_OF } from '@/lib/server/api/api-response';
import { digestSearchForm, probeFaceKeyFor } from '@/lib/server/api/api-search';
import { buildOpenApiDocument } from '@/lib/server/api/openapi-document';
import { API_PROBLEM_CODES, searchFieldsSchema } from '@/lib/shared/schemas/api-v1';

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
      probeCropUrl: '/x',
      reviewState: 'awaiting_first_review',
      candidates: [],
    };
    expect(search(valid)).toBe(true);
    expect(search({ ...valid, imageRetained: true })).toBe(false);
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
    const a = digestSearchForm({ fields: { reference: 'R-1', purpose: 'p'.repeat(12) }, image, crop: null, oversized: null });
    const b = digestSearchForm({ fields: { purpose: 'p'.repeat(12), reference: 'R-1' }, image: new Uint8Array([1, 2, 3]), crop: null, oversized: null });
    expect(a).toBe(b);
    expect(digestSearchForm({ fields: { reference: 'R-2', purpose: 'p'.repeat(12) }, image, crop: null, oversized: null })).not.toBe(a);
    expect(digestSearchForm({ fields: { reference: 'R-1', purpose: 'p'.repeat(12) }, image: new Uint8Array([1, 2, 4]), crop: null, oversized: null })).not.toBe(a);
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
