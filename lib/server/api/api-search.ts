import 'server-only';
import { createHash, randomUUID } from 'node:crypto';
import { openCaseSpec } from '@/lib/server/actions/specs/cases';
import { recordProbeFaceSpec } from '@/lib/server/actions/specs/record-probe-face';
import { runSearchSpec } from '@/lib/server/actions/specs/run-search';
import { decodeImageFile } from '@/lib/server/vision/decode-image-file';
import { getSharedFacePipeline } from '@/lib/server/vision/shared-face-pipeline';
import { encodeCropPixels } from '@/lib/server/storage/crop-store';
import { describeRecordedChance } from '@/lib/shared/calibration/false-match-rate';
import { verifyProbeFace } from '@/lib/server/probes/verify-probe-face';
import { readSearchPolicy } from '@/lib/server/settings/search-policy';
import { AppError } from '@/lib/shared/errors';
import { searchFieldsSchema, MAX_API_IMAGE_BYTES, MAX_API_PROBE_FACES, type ApiProblemCode, type SearchFields } from '@/lib/shared/schemas/api-v1';
import { recordProbeFaceSchema, toProbeFaceInput, type RecordProbeFacePayload } from '@/lib/shared/schemas/probe';
import { arcFaceTemplate112 } from '@/lib/vision/align-face';
import { pickPrimaryFace } from '@/lib/vision/face-pipeline';
import type { QualityVerdict } from '@/lib/vision/face-quality';
import { sniffImage } from '@/lib/vision/sniff-image';
import { VisionError } from '@/lib/vision/vision-error';
import { problemCodeOf, problemFromActionError, type ApiCall } from './api-call';
import { whereVisible } from '@/lib/server/dal/visibility';
import type { PrismaClient } from '@/lib/server/generated/prisma/client';
import type { Actor } from '@/lib/server/auth/current-actor';
import { jsonResponse, problemDocument, problemResponse } from './api-response';
import { recordSearchView } from '@/lib/server/review/record-search-view';

export const SEARCH_AUDIT_ACTION = 'api.search.create';

/**
 * The parts of the multipart form, as read (never more than the limits: see readSearchForm). Several
 * faces of one person come as repeated parts, in order: every `image`, or every `embedding` with the
 * `crop` of the same place.
 */
export type SearchForm = {
  /** The text fields; a repeated one by its first value (`embedding` and `modelId` are also in full below). */
  fields: Record<string, string>;
  images: Uint8Array[];
  crops: Uint8Array[];
  embeddings: string[];
  modelIds: string[];
  /** A file part that was over its limit: refused without being read further. */
  oversized: { part: 'image' | 'crop'; position: number } | null;
};

const MAX_CROP_BYTES = 512 * 1024;
const TEXT_FIELDS = ['reference', 'purpose', 'operator', 'watchlists', 'listSize', 'embedding', 'modelId', 'qualityOverrideReason', 'acknowledgeOverdueReview'] as const;

export async function readSearchForm(form: FormData): Promise<SearchForm> {
  const fields: Record<string, string> = {};
  for (const name of TEXT_FIELDS) {
    const value = form.get(name);
    if (typeof value === 'string') fields[name] = value;
  }
  const texts = (name: string) => form.getAll(name).filter((value): value is string => typeof value === 'string');
  let oversized: SearchForm['oversized'] = null;
  const files = async (part: 'image' | 'crop', limit: number) => {
    const read: Uint8Array[] = [];
    for (const [position, value] of form.getAll(part).entries()) {
      const isOversized = typeof value === 'string' ? value.length > limit : value.size > limit;
      if (isOversized) {
        oversized ??= { part, position };
        read.push(new Uint8Array(0));
      } else read.push(typeof value === 'string' ? new TextEncoder().encode(value) : new Uint8Array(await value.arrayBuffer()));
    }
    return read;
  };
  const images = await files('image', MAX_API_IMAGE_BYTES);
  const crops = await files('crop', MAX_CROP_BYTES);
  return { fields, images, crops, embeddings: texts('embedding'), modelIds: texts('modelId'), oversized };
}

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

/**
 * A digest of what the request asks, for Idempotency-Key: the fields and the files' bytes (not the
 * multipart boundary, which a retry changes), every face of a multi-face request included. A one-face
 * request digests exactly as it did before several faces were accepted, so a key stored then still replays.
 */
export function digestSearchForm(form: SearchForm): string {
  const hash = createHash('sha256');
  for (const name of Object.keys(form.fields).sort()) hash.update(`${name}=${sha256(form.fields[name]!)};`);
  const fileDigest = (part: 'image' | 'crop', position: number, bytes: Uint8Array | undefined) =>
    form.oversized?.part === part && form.oversized.position === position ? 'oversized' : bytes ? sha256(bytes) : '-';
  hash.update(`image:${fileDigest('image', 0, form.images[0])};`);
  hash.update(`crop:${fileDigest('crop', 0, form.crops[0])};`);
  const further = Math.max(form.images.length, form.crops.length, form.embeddings.length, form.modelIds.length);
  for (let position = 1; position < further; position += 1) {
    hash.update(`image[${position}]:${fileDigest('image', position, form.images[position])};crop[${position}]:${fileDigest('crop', position, form.crops[position])};`);
    const embedding = form.embeddings[position];
    const modelId = form.modelIds[position];
    hash.update(`embedding[${position}]=${embedding === undefined ? '-' : sha256(embedding)};modelId[${position}]=${modelId === undefined ? '-' : sha256(modelId)};`);
  }
  return hash.digest('hex');
}

/**
 * A UUID (version 5 layout) derived from the client, its Idempotency-Key and the face's place in the
 * request, so a retried search reuses the probe faces it recorded. The first face's key is the one a
 * one-face search always had.
 */
export function probeFaceKeyFor(clientId: string, idempotencyKey: string | null, position = 0): string {
  if (!idempotencyKey) return randomUUID();
  const hex = createHash('sha256').update(position === 0 ? `${clientId}\n${idempotencyKey}` : `${clientId}\n${idempotencyKey}\n${position}`).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

type Outcome = { status: number; body: unknown; response: Response };

function done(response: Response, body: unknown): Outcome {
  return { status: response.status, body, response };
}

async function asOutcome(response: Response): Promise<Outcome> {
  return { status: response.status, body: await response.clone().json(), response };
}

/**
 * POST /api/v1/searches: the photo (or the client's own crop and embedding) goes through the same
 * steps a workstation search does, as the client's service account, for the officer named:
 *   1. the case the reference names, opened for the client's team if new (`case.open`);
 *   2. the face recorded with its crop, re-embedded and measured by the server (`probe.record_face`);
 *   3. the search of the allowed watch-lists, calibrated and recorded (`search.run`).
 * Each is the workstation's own action spec through the action wrapper, so each is checked and
 * audited as it is there, with the client and the officer in every event. The photo itself is
 * decoded in memory and never written anywhere (OIFR: imageRetained is always false).
 *
 * Several faces of one person (up to MAX_API_PROBE_FACES photos, or embeddings with their crops) are
 * each recorded as step 2 records one, and searched by one `search.run` as the workstation's
 * multi-face probe: the first face is the probe face, the rest its extra faces.
 */
export async function createApiSearch(call: ApiCall, form: SearchForm, idempotencyKey: string | null): Promise<Outcome> {
  const operatorGuess = typeof form.fields.operator === 'string' && form.fields.operator.trim() ? form.fields.operator.trim().slice(0, 200) : null;
  const refuse = async (code: ApiProblemCode, detail: string, errors?: Record<string, string[]>) =>
    asOutcome(await call.refuse(code, detail, { action: SEARCH_AUDIT_ACTION, operatorId: operatorGuess, ...(errors ? { errors } : {}) }));

  const isImage = form.images.length > 0;
  const isEmbedding = form.embeddings.length > 0 || form.crops.length > 0 || form.modelIds.length > 0;
  const faceCount = isImage ? form.images.length : Math.max(form.embeddings.length, form.crops.length, 1);
  const faces = faceNaming(faceCount);

  if (form.oversized) {
    const { part, position } = form.oversized;
    const which = faceCount > 1 ? `${faces.label(position)}: ` : '';
    return refuse('IMAGE_TOO_LARGE', `${which}${part === 'image' ? `The image is larger than ${MAX_API_IMAGE_BYTES / 1024 / 1024} MiB.` : 'The crop is larger than 512 KiB; send the 112×112 aligned crop.'}`, {
      [faces.field(position, part)]: ['Too large.'],
    });
  }
  const parsed = searchFieldsSchema.safeParse(form.fields);
  if (!parsed.success) {
    const errors: Record<string, string[]> = {};
    for (const issue of parsed.error.issues) (errors[issue.path.join('.') || '_'] ??= []).push(issue.message);
    return refuse('VALIDATION', `Some fields need attention: ${Object.keys(errors).join(', ')}.`, errors);
  }
  const fields = parsed.data;
  const operatorId = fields.operator;
  if (isImage === isEmbedding) {
    return refuse('VALIDATION', 'Send either an image, or an embedding with its modelId and crop (not both).', { image: ['Send an image, or embedding + modelId + crop.'] });
  }
  // Counted before any photo is decoded: an eleventh face costs no model time.
  if (faceCount > MAX_API_PROBE_FACES) {
    return refuse('VALIDATION', `A search is at most ${MAX_API_PROBE_FACES} faces of one person; this request has ${faceCount}.`, {
      [isImage ? 'image' : 'embedding']: [`At most ${MAX_API_PROBE_FACES} faces.`],
    });
  }

  const allowed = new Set(call.client.watchlistIds);
  const requested = fields.watchlists ?? call.client.watchlistIds;
  const notAllowed = requested.filter((id) => !allowed.has(id));
  if (notAllowed.length > 0) {
    return refuse('WATCHLIST_NOT_ALLOWED', `This client may not search ${notAllowed.join(', ')}.`, { watchlists: notAllowed.map((id) => `Not allowed: ${id}`) });
  }
  const live = await call.prisma.watchlist.findMany({ where: { id: { in: requested }, deletedAt: null }, select: { id: true } });
  const watchlistIds = requested.filter((id) => live.some((list) => list.id === id));
  if (watchlistIds.length === 0) return refuse('NOT_FOUND', 'None of the watch-lists this search would use exists any more.');

  const pipeline = await getSharedFacePipeline();
  const submissions: AcceptedSubmission[] = [];
  for (let position = 0; position < faceCount; position += 1) {
    const submission = isImage ? await analysePhoto(form.images[position]!, pipeline) : await readClientFace(form, position, pipeline);
    if (!submission.ok) return refuse(submission.code, faces.detail(position, submission.message), faces.errors(position, submission.errors));
    submissions.push(submission);
  }
  // One face is checked by `probe.record_face` itself, which records nothing when it refuses. Of
  // several, the first would be recorded before the second is checked; so every face is first put
  // through that action's own validation and verification (in memory: nothing is written), and only
  // a request whose faces all pass records any of them. The action checks each again as it records it.
  if (faceCount > 1) {
    const verdicts: QualityVerdict[] = [];
    for (const [position, submission] of submissions.entries()) {
      const verified = await preverifyFace(submission, pipeline);
      if (!verified.ok) return refuse(verified.code, faces.detail(position, verified.message), faces.errors(position, verified.errors));
      verdicts.push(verified.qualityVerdict);
    }
    // Likewise the quality policy, which `search.run` applies (again) once the faces are recorded: a set
    // of faces is judged by its best face (probeSetVerdict), on the quality the server measured.
    const policy = await readSearchPolicy(call.prisma);
    const best = verdicts.reduce((top, verdict) => (QUALITY_RANK[verdict] > QUALITY_RANK[top] ? verdict : top));
    if (QUALITY_RANK[best] < QUALITY_RANK[policy.minimumQuality] && !fields.qualityOverrideReason) {
      return refuse('QUALITY_BELOW_POLICY', `The best of these ${faceCount} faces is of quality "${best}", below the policy minimum "${policy.minimumQuality}". Give a reason to search them anyway (qualityOverrideReason).`, {
        qualityOverrideReason: ['A reason is required to search faces of this quality.'],
      });
    }
  }

  const defineAction = call.defineAction(operatorId);
  const caseId = await findOrOpenCase(call, defineAction, fields);
  if (!caseId.ok) return done(caseId.response, await caseId.response.clone().json());

  // Each face is its own `probe.record_face`, as in the workstation. Every face passed that action's
  // checks just above, so a refusal here is a change meanwhile (the case closed, the database busy); the
  // faces already recorded then stay recorded, each with its audit event; after a failure on our side
  // (5xx, the key let go) a retry with the same Idempotency-Key reuses them rather than recording them again.
  const probeFaceIds: string[] = [];
  for (const [position, submission] of submissions.entries()) {
    const payload: RecordProbeFacePayload = {
      caseId: caseId.id,
      idempotencyKey: probeFaceKeyFor(call.client.id, idempotencyKey, position),
      still: { imageSha256: submission.imageSha256, width: submission.width, height: submission.height, source: `API client ${call.client.name}` },
      face: submission.face,
    };
    const recorded = await defineAction(recordProbeFaceSpec)({ payload, crop: submission.crop });
    if (!recorded.ok) {
      if (faceCount === 1) return asOutcome(problemFromActionError(call, recorded.error));
      const { error } = recorded;
      const errors = faces.errors(position, error.fieldErrors && renameActionFields(error.fieldErrors, isImage));
      return asOutcome(problemResponse(problemDocument(problemCodeOf(error), faces.detail(position, error.message), error.eventId ?? call.requestId, errors ? { errors } : {})));
    }
    probeFaceIds.push(recorded.data.probeFaceId);
  }

  const searched = await defineAction(runSearchSpec)({
    probeFaceId: probeFaceIds[0],
    ...(probeFaceIds.length > 1 ? { extraProbeFaceIds: probeFaceIds.slice(1) } : {}),
    watchlistIds,
    mode: 'rank',
    ...(fields.listSize ? { listSize: fields.listSize } : {}),
    ...(fields.qualityOverrideReason ? { qualityOverrideReason: fields.qualityOverrideReason } : {}),
    isOverdueReviewAcknowledged: fields.acknowledgeOverdueReview,
  });
  if (!searched.ok) return asOutcome(problemFromActionError(call, searched.error));

  const read = await readApiSearch(call.prisma, call.actor, searched.data.searchId);
  if (!read) throw new Error(`search ${searched.data.searchId} was recorded but cannot be read back`);
  return done(jsonResponse(201, read.body, { location: `/api/v1/searches/${read.body.id}` }), read.body);
}

/**
 * How a problem names a face. A one-face request keeps the field names it always had (`image`,
 * `embedding`, `crop`); with several, a face is `faces[n]` by its place in the request (0 is the
 * first), so the client knows which frame to drop or retake.
 */
function faceNaming(faceCount: number) {
  const isSeveral = faceCount > 1;
  const label = (position: number) => `Face ${position + 1} of ${faceCount} (faces[${position}])`;
  const field = (position: number, name: string) => (isSeveral ? `faces[${position}].${name}` : name);
  return {
    label,
    field,
    detail: (position: number, message: string) => (isSeveral ? `${label(position)}: ${message}` : message),
    errors: (position: number, errors: Record<string, string[]> | undefined) =>
      errors && Object.fromEntries(Object.entries(errors).map(([name, messages]) => [field(position, name), messages])),
  };
}

/** The action's field names, as the form's parts: what the client sent and can correct. */
function renameActionFields(fieldErrors: Record<string, string[]>, isImage: boolean): Record<string, string[]> {
  const partOf = (name: string) => {
    if (isImage && (name === 'crop' || name.startsWith('payload.face.'))) return 'image';
    if (name === 'payload.face.embedding') return 'embedding';
    if (name === 'payload.face.modelId') return 'modelId';
    return name;
  };
  const renamed: Record<string, string[]> = {};
  for (const [name, messages] of Object.entries(fieldErrors)) (renamed[partOf(name)] ??= []).push(...messages);
  return renamed;
}

const QUALITY_RANK: Record<QualityVerdict, number> = { poor: 0, usable: 1, good: 2 };

// Verification reads only the face and its crop; the case is not known yet (it may still be opened).
const CASE_NOT_YET_KNOWN = '00000000-0000-4000-8000-000000000000';

/**
 * What `probe.record_face` would refuse this face for, found without recording anything: its input
 * schema and its verification (the crop decoded and re-embedded, the quality claim measured).
 */
async function preverifyFace(submission: AcceptedSubmission, pipeline: Pipeline): Promise<Extract<Submission, { ok: false }> | { ok: true; qualityVerdict: QualityVerdict }> {
  const isImage = submission.source === 'image';
  const parsed = recordProbeFaceSchema.safeParse({
    payload: { caseId: CASE_NOT_YET_KNOWN, idempotencyKey: randomUUID(), still: { imageSha256: submission.imageSha256, width: submission.width, height: submission.height, source: 'API' }, face: submission.face },
    crop: submission.crop,
  });
  const asProblem = (message: string, fieldErrors: Record<string, string[]>) => ({
    ok: false as const,
    code: problemCodeOf({ code: 'VALIDATION', message, fieldErrors }),
    message,
    errors: renameActionFields(fieldErrors, isImage),
  });
  if (!parsed.success) {
    const fieldErrors: Record<string, string[]> = {};
    for (const issue of parsed.error.issues) (fieldErrors[issue.path.join('.') || '_'] ??= []).push(issue.message);
    return asProblem('Some fields need attention.', fieldErrors);
  }
  try {
    const verification = await verifyProbeFace({ input: parsed.data, pipeline });
    return { ok: true, qualityVerdict: verification.serverQuality.verdict };
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return asProblem(error.message, error.fieldErrors ?? {});
  }
}

type AcceptedSubmission = { ok: true; source: 'image' | 'embedding'; face: RecordProbeFacePayload['face']; crop: Uint8Array; imageSha256: string; width: number; height: number };
type Submission = AcceptedSubmission | { ok: false; code: ApiProblemCode; message: string; errors?: Record<string, string[]> };

type Pipeline = Awaited<ReturnType<typeof getSharedFacePipeline>>;

/** The Node pipeline on the photo, in memory: decode, detect, the primary face, align, embed, measure. */
async function analysePhoto(bytes: Uint8Array, pipeline: Pipeline): Promise<Submission> {
  const sniffed = sniffImage(bytes);
  if (!sniffed) return { ok: false, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'The image is not a supported image (JPEG, PNG, WebP, GIF, BMP, TIFF, AVIF).', errors: { image: ['Not an image.'] } };
  let decoded;
  try {
    decoded = await decodeImageFile(bytes);
  } catch (error) {
    if (!(error instanceof VisionError)) throw error;
    if (error.code === 'IMAGE_TOO_LARGE') return { ok: false, code: 'IMAGE_TOO_LARGE', message: error.message, errors: { image: [error.message] } };
    return { ok: false, code: error.code === 'DECODE_FAILED' || error.code === 'EMPTY_IMAGE' ? 'UNSUPPORTED_MEDIA_TYPE' : 'VALIDATION', message: error.message, errors: { image: [error.message] } };
  }
  const primary = pickPrimaryFace(await pipeline.detectFaces(decoded.image));
  if (!primary) return { ok: false, code: 'NO_FACE', message: 'No face was found in the image.', errors: { image: ['No face found.'] } };
  const analysis = await pipeline.analyseFace(decoded.image, primary);
  const crop = await encodeCropPixels('probe', analysis.aligned);
  return {
    ok: true,
    source: 'image',
    face: toProbeFaceInput(analysis) as RecordProbeFacePayload['face'],
    crop: new Uint8Array(crop.png),
    imageSha256: createHash('sha256').update(bytes).digest('hex'),
    width: decoded.image.width,
    height: decoded.image.height,
  };
}

/**
 * The client's own face: its embedding, model and aligned crop. The crop is the still as far as the
 * server knows, so the five points are the template's and the quality claim is the lowest: the
 * server measures the crop itself and applies the policy to what it measured.
 */
async function readClientFace(form: SearchForm, position: number, pipeline: Pipeline): Promise<Submission> {
  // One modelId serves every face; sent once per face, each face has its own.
  const sent = { embedding: form.embeddings[position], modelId: form.modelIds.length > 1 ? form.modelIds[position] : form.modelIds[0] };
  const crop = form.crops[position];
  const missing = (['embedding', 'modelId'] as const).filter((name) => !sent[name]);
  if (missing.length > 0 || !crop) {
    const names = [...missing, ...(crop ? [] : ['crop'])];
    return { ok: false, code: 'VALIDATION', message: `An embedding search needs embedding, modelId and crop; missing ${names.join(', ')}.`, errors: Object.fromEntries(names.map((name) => [name, ['Required.']])) };
  }
  if (sent.modelId !== pipeline.recognizerId) {
    return { ok: false, code: 'MODEL_MISMATCH', message: `The server searches with ${pipeline.recognizerId}; this embedding was made with ${sent.modelId}.`, errors: { modelId: [`Expected ${pipeline.recognizerId}.`] } };
  }
  let embedding: unknown;
  try {
    embedding = JSON.parse(sent.embedding!);
  } catch {
    embedding = undefined;
  }
  if (!Array.isArray(embedding) || !embedding.every((value) => typeof value === 'number')) {
    return { ok: false, code: 'VALIDATION', message: 'The embedding must be a JSON array of numbers.', errors: { embedding: ['Expected a JSON array of numbers.'] } };
  }
  if (embedding.length !== pipeline.embeddingDimension) {
    return { ok: false, code: 'EMBEDDING_MISMATCH', message: `The embedding has ${embedding.length} values; ${pipeline.recognizerId} gives ${pipeline.embeddingDimension}.`, errors: { embedding: [`Expected ${pipeline.embeddingDimension} values.`] } };
  }
  return {
    ok: true,
    source: 'embedding',
    face: {
      box: { x: 0, y: 0, width: 112, height: 112 },
      landmarks: arcFaceTemplate112.map((point) => [point.x, point.y] as [number, number]),
      quality: { verdict: 'poor', metrics: {}, reasons: [] },
      detectorScore: null,
      isManualBox: false,
      modelId: sent.modelId,
      embedding: embedding as number[],
    },
    crop,
    imageSha256: createHash('sha256').update(crop).digest('hex'),
    width: 112,
    height: 112,
  };
}

type CaseLookup = { ok: true; id: string } | { ok: false; response: Response };

/** The team's case with this reference, or a new one opened through the workstation's own `case.open`. */
async function findOrOpenCase(call: ApiCall, defineAction: ReturnType<ApiCall['defineAction']>, fields: SearchFields): Promise<CaseLookup> {
  const find = () => call.prisma.case.findFirst({ where: { reference: fields.reference, ...whereVisible(call.actor, 'case', 'work') }, select: { id: true, status: true } });
  const closed = (id: string) => call.refuse('CASE_CLOSED', `The case ${fields.reference} is closed: no further searches can be run in it.`, { action: SEARCH_AUDIT_ACTION, operatorId: fields.operator, payload: { caseId: id } });
  const existing = await find();
  if (existing) return existing.status === 'open' ? { ok: true, id: existing.id } : { ok: false, response: await closed(existing.id) };
  const opened = await defineAction(openCaseSpec)({
    reference: fields.reference,
    offence: 'Not stated (operator-initiated search through the API)',
    purpose: fields.purpose,
    legalBasis: call.client.legalBasis,
  });
  if (opened.ok) return { ok: true, id: opened.data.caseId };
  // Opened meanwhile by a concurrent search with the same reference.
  if (opened.error.code === 'CONFLICT') {
    const raced = await find();
    if (raced) return raced.status === 'open' ? { ok: true, id: raced.id } : { ok: false, response: await closed(raced.id) };
  }
  return { ok: false, response: problemFromActionError(call, opened.error) };
}

/** The search as the API shows it, for this client's service account only (another client's search is not found). */
export async function readApiSearch(prisma: PrismaClient, actor: Actor, searchId: string) {
  const search = await prisma.search.findFirst({
    where: { id: searchId, actorId: actor.id, ...whereVisible(actor, 'search') },
    select: {
      id: true,
      createdAt: true,
      gallerySize: true,
      modelId: true,
      watchlistIds: true,
      reviewState: true,
      probeFaceId: true,
      caseId: true,
      case: { select: { reference: true } },
      probeFace: { select: { serverQuality: true, serverQualityVerdict: true, qualityVerdict: true } },
      probeFaces: { orderBy: { position: 'asc' }, select: { position: true, probeFaceId: true, probeFace: { select: { serverQuality: true, serverQualityVerdict: true, qualityVerdict: true } } } },
      candidates: {
        orderBy: { rank: 'asc' },
        select: {
          id: true,
          rank: true,
          bestProbeFaceId: true,
          rawScore: true,
          falseMatchRate: true,
          expectedFpir: true,
          subject: { select: { id: true, reference: true, displayName: true, watchlist: { select: { id: true, name: true } } } },
        },
      },
    },
  });
  if (!search) return null;
  const lists = await prisma.watchlist.findMany({ where: { id: { in: search.watchlistIds } }, select: { id: true, name: true } });
  // A search recorded before its faces were listed (search_probe_faces) had the one probe face.
  const probeFaces = search.probeFaces.length > 0 ? search.probeFaces : [{ position: 0, probeFaceId: search.probeFaceId, probeFace: search.probeFace }];
  const positionOf = new Map(probeFaces.map((face) => [face.probeFaceId, face.position]));
  // With one face, that face scored every candidate, whether or not the search recorded which.
  const bestPositionOf = (bestProbeFaceId: string | null) => (bestProbeFaceId ? (positionOf.get(bestProbeFaceId) ?? null) : probeFaces.length === 1 ? 0 : null);
  const body = {
    id: search.id,
    createdAt: search.createdAt.toISOString(),
    reference: search.case.reference,
    modelId: search.modelId,
    gallerySize: search.gallerySize,
    watchlists: search.watchlistIds.map((id) => ({ id, name: lists.find((list) => list.id === id)?.name ?? '' })),
    imageRetained: false as const,
    quality: qualityOf(search.probeFace),
    probeFaceCount: probeFaces.length,
    probeFaces: probeFaces.map((face) => ({ position: face.position, quality: qualityOf(face.probeFace) })),
    probeCropUrl: `/api/v1/searches/${search.id}/probe-crop`,
    reviewState: search.reviewState,
    candidates: search.candidates.map((candidate) => ({
      id: candidate.id,
      rank: candidate.rank,
      subject: { id: candidate.subject.id, reference: candidate.subject.reference, name: candidate.subject.displayName },
      watchlist: { id: candidate.subject.watchlist.id, name: candidate.subject.watchlist.name },
      score: {
        raw: candidate.rawScore,
        falseMatchRate: candidate.falseMatchRate,
        expectedFpir: candidate.expectedFpir,
        words: describeRecordedChance({ modelId: search.modelId, falseMatchRate: candidate.falseMatchRate, expectedFpir: candidate.expectedFpir, gallerySize: search.gallerySize }),
      },
      cropUrl: `/api/v1/searches/${search.id}/candidates/${candidate.id}/crop`,
      bestProbeFacePosition: bestPositionOf(candidate.bestProbeFaceId),
    })),
  };
  return { body, caseId: search.caseId, probeFaceId: search.probeFaceId };
}

type MeasuredProbeFace = { serverQuality: unknown; serverQualityVerdict: 'good' | 'usable' | 'poor' | null; qualityVerdict: 'good' | 'usable' | 'poor' };

/** What the server measured on a probe face (faces recorded before it measured have only the claimed verdict). */
function qualityOf(face: MeasuredProbeFace) {
  const measured = (face.serverQuality ?? { metrics: {}, reasons: [] }) as { metrics: Record<string, number | null>; reasons: { metric: string; level: 'poor' | 'usable'; message: string }[] };
  return { verdict: face.serverQualityVerdict ?? face.qualityVerdict, metrics: measured.metrics, reasons: measured.reasons };
}

/** Reading a search's candidates again is a view of people's faces and names, recorded like the bench's. */
export async function recordApiSearchView(call: ApiCall, read: NonNullable<Awaited<ReturnType<typeof readApiSearch>>>, operatorId: string | null) {
  await recordSearchView(
    call.prisma,
    call.actor,
    { searchId: read.body.id, caseId: read.caseId, probeFaceId: read.probeFaceId, candidatesShown: read.body.candidates.map((candidate) => candidate.id), isIdentityShown: true, stage: null, extra: { surface: 'api_v1' } },
    call.context(operatorId),
  );
}
