import { z } from 'zod';
import { DECISIONS } from './review';
import { QUALITY_VERDICTS } from './probe';
import { MAX_EXTRA_PROBE_FACES, MAX_LIST_SIZE } from './search';

// The /api/v1 contract. These schemas validate what the routes read and are the source of the OpenAPI
// document (lib/server/api/openapi-document.ts): the document cannot drift from what is enforced.

export const API_PROBLEM_CODES = [
  'UNAUTHENTICATED',
  'TOKEN_EXPIRED',
  'INVALID_CLIENT',
  'CLIENT_REVOKED',
  'CLIENT_EXPIRED',
  'UNSUPPORTED_GRANT_TYPE',
  'FORBIDDEN',
  'WATCHLIST_NOT_ALLOWED',
  'NOT_FOUND',
  'VALIDATION',
  'MODEL_MISMATCH',
  'EMBEDDING_MISMATCH',
  'INVALID_CROP',
  'NO_FACE',
  'QUALITY_BELOW_POLICY',
  'IMAGE_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'MALFORMED_REQUEST',
  'CONFLICT',
  'CASE_CLOSED',
  'IDEMPOTENCY_KEY_REUSED',
  'IDEMPOTENCY_IN_PROGRESS',
  'RATE_LIMITED',
  'AUDIT_UNAVAILABLE',
  'UNAVAILABLE',
  'INTERNAL',
] as const;
export type ApiProblemCode = (typeof API_PROBLEM_CODES)[number];

/** The largest photo accepted on `image`: a phone's full-resolution JPEG is well under this. */
export const MAX_API_IMAGE_BYTES = 15 * 1024 * 1024;

/**
 * The largest search request, all its parts together: the largest photo and room for the text fields
 * and crops. Several photos of one person share it, so they are sent at a phone's usual size (ten
 * frames of 1.5 MiB fit). It cannot be raised alone: proxy.ts buffers at most 17 MB of any body
 * (next.config.js, proxyClientMaxBodySize).
 */
export const MAX_API_SEARCH_REQUEST_BYTES = MAX_API_IMAGE_BYTES + 1024 * 1024;

/** Faces of one person one search may carry: the workstation's multi-face probe (the first and up to nine more). */
export const MAX_API_PROBE_FACES = MAX_EXTRA_PROBE_FACES + 1;

export const problemSchema = z
  .object({
    type: z.string().meta({ description: 'A URI naming the kind of problem (urn:rfr-api:problem:<code>).' }),
    title: z.string(),
    status: z.number().int().min(400).max(599),
    detail: z.string(),
    code: z.enum(API_PROBLEM_CODES),
    eventId: z.uuid().meta({ description: 'The id of this call: every audit event written for it carries it (payload.request.requestId).' }),
    errors: z.record(z.string(), z.array(z.string())).optional().meta({ description: 'Per field, what is wrong.' }),
    error: z.string().optional().meta({ description: 'On the token endpoint: the OAuth 2.0 error code (RFC 6749 §5.2).' }),
  })
  .meta({ id: 'Problem', description: 'An RFC 9457 problem document (application/problem+json).' });
export type ApiProblem = z.infer<typeof problemSchema>;

export const tokenRequestSchema = z
  .object({
    grant_type: z.literal('client_credentials'),
    client_id: z.string().min(1),
    client_secret: z.string().min(1),
  })
  .meta({ id: 'TokenRequest', description: 'OAuth 2.0 client-credentials grant (RFC 6749 §4.4), form-encoded.' });

export const tokenResponseSchema = z
  .object({
    access_token: z.string(),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int().positive(),
  })
  .meta({ id: 'TokenResponse' });

export const watchlistSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    faces: z.number().int().min(0).meta({ description: 'Faces searchable now with the server recogniser.' }),
    version: z.string().meta({ description: 'Changes whenever a face joins or leaves the list.' }),
  })
  .meta({ id: 'Watchlist' });

export const watchlistsResponseSchema = z.object({ watchlists: z.array(watchlistSchema) }).meta({ id: 'WatchlistList' });

export const operatorSchema = z
  .string()
  .trim()
  .min(1, 'Say which officer the search is for (operator).')
  .max(200)
  .regex(/^[\x20-\x7e]+$/, 'The operator id must be printable ASCII.');

/** The text fields of POST /searches, after the multipart form is read. */
export const searchFieldsSchema = z.object({
  reference: z
    .string({ error: 'Give the case or encounter reference (reference).' })
    .trim()
    .min(3, 'The reference must be at least 3 characters.')
    .max(64)
    .regex(/^[A-Za-z0-9][A-Za-z0-9/_.-]*$/, 'Use letters, digits and / _ . - only in the reference.'),
  purpose: z.string({ error: 'Say why the person is being searched (purpose).' }).trim().min(10, 'The purpose must be at least 10 characters.').max(2000),
  operator: operatorSchema,
  watchlists: z
    .string()
    .optional()
    .transform((text) => (text === undefined || text.trim() === '' ? undefined : text.split(',').map((id) => id.trim()).filter(Boolean)))
    .pipe(z.array(z.uuid('Watch-list ids are UUIDs.')).min(1).max(50).optional()),
  listSize: z.coerce.number().int().min(1).max(MAX_LIST_SIZE).optional(),
  qualityOverrideReason: z.string().trim().min(10).max(1000).optional(),
  acknowledgeOverdueReview: z.enum(['true', 'false']).optional().transform((value) => value === 'true'),
});
export type SearchFields = z.output<typeof searchFieldsSchema>;

const binary = (description: string) => z.string().meta({ format: 'binary', description });
const MIB = 1024 * 1024;

/**
 * The multipart form, for the document: an `image`, or an `embedding` with its `modelId` and `crop`.
 * Several faces of one person repeat the part (`image`, or `embedding` with `crop`), in order: the
 * n-th `embedding` goes with the n-th `crop`, and errors name a face by that order (`faces[1]` is the
 * second). Repeated parts are what curl `-F`, a browser's FormData.append and mobile HTTP clients send.
 */
export const searchRequestSchema = z
  .object({
    image: z
      .array(binary(`A photo (JPEG, PNG, WebP…; at most ${MAX_API_IMAGE_BYTES / MIB} MiB): the server finds the primary face, aligns, embeds and measures it. Not kept.`))
      .min(1)
      .max(MAX_API_PROBE_FACES)
      .optional()
      .meta({
        description:
          `One photo, or up to ${MAX_API_PROBE_FACES} photos of the same person as repeated \`image\` parts (frames the app captured): each face is found, checked and measured as a single one is, ` +
          'and the person is searched as one probe (each gallery person scored at their best over the faces). The whole request is refused, and no face recorded, if any face fails ' +
          `(errors name it: \`faces[0]\` is the first). All parts together are at most ${MAX_API_SEARCH_REQUEST_BYTES / MIB} MiB, each photo at most ${MAX_API_IMAGE_BYTES / MIB} MiB.`,
      }),
    embedding: z
      .array(z.string())
      .min(1)
      .max(MAX_API_PROBE_FACES)
      .optional()
      .meta({
        description:
          `JSON array of the face embedding (unit length), with modelId and crop instead of image. Up to ${MAX_API_PROBE_FACES} faces of one person: repeat \`embedding\` and \`crop\`, the n-th embedding with the n-th crop.`,
      }),
    modelId: z.string().optional().meta({ description: 'The recogniser that made the embedding; must be the server’s. Sent once for every face (or once per face, in order).' }),
    crop: z
      .array(binary('The 112×112 aligned crop the embedding was made from (PNG or JPEG); re-embedded by the server to check it.'))
      .min(1)
      .max(MAX_API_PROBE_FACES)
      .optional()
      .meta({ description: 'The 112×112 aligned crop each embedding was made from (PNG or JPEG, at most 512 KiB), in the order of the embeddings; re-embedded by the server to check it.' }),
    reference: z.string().meta({ description: 'Case or encounter reference (3–64 of A–Z a–z 0–9 / _ . -). A new one opens a case for the client’s team.' }),
    purpose: z.string().meta({ description: 'Why this person is being searched (at least 10 characters).' }),
    operator: z.string().meta({ description: 'The officer’s id in the client’s system.' }),
    watchlists: z.string().optional().meta({ description: 'Comma-separated watch-list ids; default every list the client may search.' }),
    listSize: z.string().optional().meta({ description: `Candidates to return, 1–${MAX_LIST_SIZE}; default the workstation policy.` }),
    qualityOverrideReason: z.string().optional().meta({ description: 'Required to search a face below the quality policy (several faces are judged by their best one).' }),
    acknowledgeOverdueReview: z.enum(['true', 'false']).optional().meta({ description: 'Required to search a watch-list past its review date.' }),
  })
  .meta({ id: 'SearchRequest' });

export const qualitySchema = z
  .object({
    verdict: z.enum(QUALITY_VERDICTS),
    metrics: z.record(z.string(), z.number().nullable()),
    reasons: z.array(z.object({ metric: z.string(), level: z.enum(['poor', 'usable']), message: z.string() })),
  })
  .meta({ id: 'Quality', description: 'What the server measured on the aligned crop; the policy is applied to this.' });

export const candidateSchema = z
  .object({
    id: z.uuid().meta({ description: 'The candidate id, for decisions.' }),
    rank: z.number().int().min(1),
    subject: z.object({ id: z.uuid(), reference: z.string(), name: z.string() }),
    watchlist: z.object({ id: z.uuid(), name: z.string() }),
    score: z.object({
      raw: z.number(),
      falseMatchRate: z.number().min(0).max(1),
      expectedFpir: z.number().min(0).max(1),
      words: z.string(),
    }),
    cropUrl: z.string().meta({ description: 'GET with the bearer token: the enrolled face crop (PNG).' }),
    bestProbeFacePosition: z
      .number()
      .int()
      .min(0)
      .nullable()
      .meta({ description: 'Which probe face gave this candidate its score (the best of them): its position in `probeFaces`, the order the faces were sent in (0 is the first). Null if that face is no longer on record.' }),
  })
  .meta({ id: 'Candidate' });

export const probeFaceSchema = z
  .object({
    position: z.number().int().min(0).meta({ description: 'The face’s place in the request (0 is the first, the one `quality` and `probeCropUrl` describe).' }),
    quality: qualitySchema,
  })
  .meta({ id: 'ProbeFace', description: 'One face of the person searched, as the server measured it.' });

export const searchSchema = z
  .object({
    id: z.uuid(),
    createdAt: z.iso.datetime({ offset: true }),
    reference: z.string(),
    modelId: z.string(),
    gallerySize: z.number().int().min(0),
    watchlists: z.array(z.object({ id: z.uuid(), name: z.string() })),
    imageRetained: z.literal(false).meta({ description: 'The submitted photo is never kept; only the aligned crop and its embedding, under the probe retention policy.' }),
    // The first face's quality; with several faces the policy is applied to the best of them (probeFaces).
    quality: qualitySchema,
    probeFaceCount: z.number().int().min(1).max(MAX_API_PROBE_FACES).meta({ description: 'How many faces of the person were searched together (1 for a single face).' }),
    probeFaces: z.array(probeFaceSchema).min(1).max(MAX_API_PROBE_FACES).meta({ description: 'Every face searched, in the order sent; each candidate names the one that scored it best (bestProbeFacePosition).' }),
    probeCropUrl: z.string().meta({ description: 'GET with the bearer token: the first face’s aligned crop (PNG).' }),
    reviewState: z.string().meta({ description: 'Where the human review stands (the workstation’s review states).' }),
    candidates: z.array(candidateSchema),
  })
  .meta({ id: 'Search' });

export const decisionEntrySchema = z
  .object({
    rank: z.number().int().min(1).optional(),
    candidateId: z.uuid().optional(),
    decision: z.enum(DECISIONS),
    rationale: z.string().max(4000).optional().meta({ description: 'Required for possible_match and inconclusive.' }),
  })
  .refine((entry) => (entry.rank === undefined) !== (entry.candidateId === undefined), { message: 'Name each candidate by rank or by candidateId (one of them).' })
  .meta({ id: 'DecisionEntry' });

export const decisionsRequestSchema = z
  .object({
    operator: operatorSchema,
    decisions: z.array(decisionEntrySchema).max(MAX_LIST_SIZE),
    noMatchInList: z.boolean().optional().meta({ description: 'Every candidate no match, as one outcome.' }),
  })
  .meta({ id: 'DecisionsRequest', description: 'The operator’s first review: one decision for every candidate.' });

export const decisionsResponseSchema = z
  .object({
    searchId: z.uuid(),
    stage: z.literal('first'),
    reviewState: z.string(),
    committedAt: z.iso.datetime({ offset: true }),
    decisions: z.array(z.object({ candidateId: z.uuid(), rank: z.number().int(), decision: z.enum(DECISIONS) })),
  })
  .meta({ id: 'DecisionsResult' });
