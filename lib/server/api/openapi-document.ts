import 'server-only';
import { z } from 'zod';
import { createDocument } from 'zod-openapi';
import {
  MAX_API_IMAGE_BYTES,
  MAX_API_PROBE_FACES,
  MAX_API_SEARCH_REQUEST_BYTES,
  decisionsRequestSchema,
  decisionsResponseSchema,
  problemSchema,
  searchRequestSchema,
  searchSchema,
  tokenRequestSchema,
  tokenResponseSchema,
  watchlistsResponseSchema,
} from '@/lib/shared/schemas/api-v1';
import { ACCESS_TOKEN_SECONDS } from './api-token';

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: problemSchema } } });
const json = (description: string, schema: z.ZodType) => ({ description, content: { 'application/json': { schema } } });
const png = (description: string) => ({ description, content: { 'image/png': { schema: z.string().meta({ format: 'binary' }) } } });

const retryAfter = { 'Retry-After': { description: 'Seconds until the client’s rate bucket has a token again.', schema: { type: 'integer' as const } } };
const authProblems = {
  401: problem('No token, an invalid or expired token, or a revoked or expired client (code says which).'),
  429: { ...problem('The client’s rate limit is spent (token bucket).'), headers: retryAfter },
};
const idempotencyKey = z.string().min(1).max(255).optional().meta({ description: 'Makes the POST safe to retry: a replay returns the first response (Idempotency-Replayed: true); the same key with another request is 422.' });
const operatorHeader = z.string().max(200).optional().meta({ description: 'The officer on whose behalf a GET is made; recorded in the audit log with the client.' });
const searchId = z.object({ id: z.uuid() });

/**
 * The OpenAPI 3.1 document of /api/v1, generated from the zod schemas the routes validate with
 * (zod-openapi), so what is documented is what is enforced.
 */
export function buildOpenApiDocument() {
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'RFR workstation search API',
      version: '1.0.0',
      description:
        'Operator-initiated facial recognition for partner systems. Every call is made as an API client registered by an administrator ' +
        '(`npm run api:client -- create …` or /admin/api-clients), for an officer (`operator`), and is audited with both. Searches use the ' +
        'workstation’s own search, calibration, audit and review code. The submitted photo is never kept (`imageRetained: false`); only the ' +
        'aligned face crop and its embedding are, under the probe retention policy. Errors are RFC 9457 problem documents. No enrolment ' +
        'or deletion is possible through this API.',
    },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: `From POST /api/v1/token; valid ${ACCESS_TOKEN_SECONDS} s.` },
      },
    },
    paths: {
      '/api/v1/token': {
        post: {
          operationId: 'issueToken',
          summary: 'Client-credentials grant (RFC 6749 §4.4)',
          description: 'Form fields grant_type=client_credentials, client_id, client_secret (or HTTP Basic). Each call issues a new token; nothing is stored to replay.',
          requestBody: { required: true, content: { 'application/x-www-form-urlencoded': { schema: tokenRequestSchema } } },
          responses: {
            200: json('A bearer token.', tokenResponseSchema),
            400: problem('Malformed request or unsupported grant type.'),
            401: problem('Unknown client, wrong secret, or a revoked or expired client.'),
            429: { ...problem('Rate limit spent.'), headers: retryAfter },
          },
        },
      },
      '/api/v1/watchlists': {
        get: {
          operationId: 'listWatchlists',
          summary: 'The watch-lists this client may search',
          security: [{ bearer: [] }],
          requestParams: { header: z.object({ 'x-operator-id': operatorHeader }) },
          responses: { 200: json('The lists, with searchable faces and a version.', watchlistsResponseSchema), ...authProblems },
        },
      },
      '/api/v1/searches': {
        post: {
          operationId: 'createSearch',
          summary: 'Search a face (or several faces of one person) against the allowed watch-lists',
          description:
            'multipart/form-data with `image` (a photo: the server finds the primary face and applies the quality policy) or `embedding` + `modelId` + `crop`. ' +
            `Up to ${MAX_API_PROBE_FACES} faces of the same person are searched as one probe: repeat \`image\` (or \`embedding\` with \`crop\`, the n-th with the n-th; \`modelId\` once), ` +
            'in the order the response’s `probeFaces` keeps. Each gallery person is scored at their best over the faces (`bestProbeFacePosition` says which face), and each ' +
            'calibrated figure counts the k × N comparisons made. If any face is refused the whole request is, naming it (`faces[1]` is the second) and recording none of them. ' +
            `The whole body is at most ${MAX_API_SEARCH_REQUEST_BYTES / 1024 / 1024} MiB, each photo at most ${MAX_API_IMAGE_BYTES / 1024 / 1024} MiB. ` +
            'A reference the client’s team has no case for opens one (purpose from the request, legal basis from the client’s registration).',
          security: [{ bearer: [] }],
          requestParams: { header: z.object({ 'idempotency-key': idempotencyKey }) },
          requestBody: { required: true, content: { 'multipart/form-data': { schema: searchRequestSchema } } },
          responses: {
            201: { ...json('The search, recorded, with its ranked candidates.', searchSchema), headers: { Location: { description: 'The search’s URL.', schema: { type: 'string' as const } } } },
            400: problem('Malformed request (not multipart, unreadable form, bad Idempotency-Key).'),
            ...authProblems,
            403: problem('A watch-list this client may not search.'),
            404: problem('A watch-list that no longer exists.'),
            409: problem('The case is closed, or a request with this Idempotency-Key is in progress.'),
            413: problem('An image, a crop or the whole request is too large.'),
            415: problem('The image is not a supported image.'),
            422: problem('Validation: missing reference/purpose/operator, more than ten faces, wrong model, embedding not matching the crop, no face, quality below policy, Idempotency-Key reused. A face of several is named in `errors` and `detail` (faces[n]).'),
          },
        },
      },
      '/api/v1/searches/{id}': {
        get: {
          operationId: 'getSearch',
          summary: 'A search this client ran',
          security: [{ bearer: [] }],
          requestParams: { path: searchId, header: z.object({ 'x-operator-id': operatorHeader }) },
          responses: { 200: json('The search.', searchSchema), ...authProblems, 404: problem('No such search for this client.') },
        },
      },
      '/api/v1/searches/{id}/candidates/{candidateId}/crop': {
        get: {
          operationId: 'getCandidateCrop',
          summary: 'A candidate’s enrolled face crop',
          security: [{ bearer: [] }],
          requestParams: { path: z.object({ id: z.uuid(), candidateId: z.uuid() }), header: z.object({ 'x-operator-id': operatorHeader }) },
          responses: { 200: png('The crop.'), ...authProblems, 404: problem('No such crop for this client.') },
        },
      },
      '/api/v1/searches/{id}/probe-crop': {
        get: {
          operationId: 'getProbeCrop',
          summary: 'The aligned probe crop that was searched',
          security: [{ bearer: [] }],
          requestParams: { path: searchId, header: z.object({ 'x-operator-id': operatorHeader }) },
          responses: { 200: png('The crop.'), ...authProblems, 404: problem('No such crop for this client.') },
        },
      },
      '/api/v1/searches/{id}/decisions': {
        post: {
          operationId: 'decideSearch',
          summary: 'The operator’s decision on every candidate (the first review)',
          security: [{ bearer: [] }],
          requestParams: { path: searchId, header: z.object({ 'idempotency-key': idempotencyKey }) },
          requestBody: { required: true, content: { 'application/json': { schema: decisionsRequestSchema } } },
          responses: {
            201: json('Recorded as the first review.', decisionsResponseSchema),
            400: problem('Malformed request.'),
            ...authProblems,
            404: problem('No such search for this client.'),
            409: problem('Already decided, or a request with this Idempotency-Key is in progress.'),
            422: problem('Validation: a candidate undecided or unknown, a rationale missing, Idempotency-Key reused.'),
          },
        },
      },
    },
  });
}
