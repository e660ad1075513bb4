import 'server-only';
import { createHash, randomUUID } from 'node:crypto';
import { openCaseSpec } from '@/lib/server/actions/specs/cases';
import { recordProbeFaceSpec } from '@/lib/server/actions/specs/record-probe-face';
import { runSearchSpec } from '@/lib/server/actions/specs/run-search';
import { decodeImageFile } from '@/lib/server/vision/decode-image-file';
import { getSharedFacePipeline } from '@/lib/server/vision/shared-face-pipeline';
import { encodeCropPixels } from '@/lib/server/storage/crop-store';
import { describeRecordedChance } from '@/lib/shared/calibration/false-match-rate';
import { searchFieldsSchema, MAX_API_IMAGE_BYTES, type ApiProblemCode, type SearchFields } from '@/lib/shared/schemas/api-v1';
import { toProbeFaceInput, type RecordProbeFacePayload } from '@/lib/shared/schemas/probe';
import { arcFaceTemplate112 } from '@/lib/vision/align-face';
import { pickPrimaryFace } from '@/lib/vision/face-pipeline';
import { sniffImage } from '@/lib/vision/sniff-image';
import { VisionError } from '@/lib/vision/vision-error';
import { problemFromActionError, type ApiCall } from './api-call';
import { whereVisible } from '@/lib/server/dal/visibility';
import type { PrismaClient } from '@/lib/server/generated/prisma/client';
import type { Actor } from '@/lib/server/auth/current-actor';
import { jsonResponse } from './api-response';
import { recordSearchView } from '@/lib/server/review/record-search-view';

export const SEARCH_AUDIT_ACTION = 'api.search.create';

/** The parts of the multipart form, as read (never more than the limits: see readSearchForm). */
export type SearchForm = {
  fields: Record<string, string>;
  image: Uint8Array | null;
  crop: Uint8Array | null;
  /** A file part that was over its limit: refused without being read further. */
  oversized: 'image' | 'crop' | null;
};

const MAX_CROP_BYTES = 512 * 1024;
const TEXT_FIELDS = ['reference', 'purpose', 'operator', 'watchlists', 'listSize', 'embedding', 'modelId', 'qualityOverrideReason', 'acknowledgeOverdueReview'] as const;

export async function readSearchForm(form: FormData): Promise<SearchForm> {
  const fields: Record<string, string> = {};
  for (const name of TEXT_FIELDS) {
    const value = form.get(name);
    if (typeof value === 'string') fields[name] = value;
  }
  const file = async (name: 'image' | 'crop', limit: number) => {
    const value = form.get(name);
    if (value === null) return { bytes: null, isOversized: false };
    if (typeof value === 'string') return { bytes: new TextEncoder().encode(value), isOversized: value.length > limit };
    if (value.size > limit) return { bytes: null, isOversized: true };
    return { bytes: new Uint8Array(await value.arrayBuffer()), isOversized: false };
  };
  const image = await file('image', MAX_API_IMAGE_BYTES);
  const crop = await file('crop', MAX_CROP_BYTES);
  return { fields, image: image.bytes, crop: crop.bytes, oversized: image.isOversized ? 'image' : crop.isOversized ? 'crop' : null };
}

/** A digest of what the request asks, for Idempotency-Key: the fields and the files' bytes (not the multipart boundary, which a retry changes). */
export function digestSearchForm(form: SearchForm): string {
  const hash = createHash('sha256');
  for (const name of Object.keys(form.fields).sort()) hash.update(`${name}=${createHash('sha256').update(form.fields[name]!).digest('hex')};`);
  for (const [name, bytes] of [['image', form.image], ['crop', form.crop]] as const) {
    hash.update(`${name}:${bytes ? createHash('sha256').update(bytes).digest('hex') : form.oversized === name ? 'oversized' : '-'};`);
  }
  return hash.digest('hex');
}

/** A UUID (version 5 layout) derived from the client and its Idempotency-Key, so a retried search reuses the probe face it recorded. */
export function probeFaceKeyFor(clientId: string, idempotencyKey: string | null): string {
  if (!idempotencyKey) return randomUUID();
  const hex = createHash('sha256').update(`${clientId}\n${idempotencyKey}`).digest('hex');
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
 */
export async function createApiSearch(call: ApiCall, form: SearchForm, idempotencyKey: string | null): Promise<Outcome> {
  const operatorGuess = typeof form.fields.operator === 'string' && form.fields.operator.trim() ? form.fields.operator.trim().slice(0, 200) : null;
  const refuse = async (code: ApiProblemCode, detail: string, errors?: Record<string, string[]>) =>
    asOutcome(await call.refuse(code, detail, { action: SEARCH_AUDIT_ACTION, operatorId: operatorGuess, ...(errors ? { errors } : {}) }));

  if (form.oversized) {
    return refuse('IMAGE_TOO_LARGE', form.oversized === 'image' ? `The image is larger than ${MAX_API_IMAGE_BYTES / 1024 / 1024} MiB.` : 'The crop is larger than 512 KiB; send the 112×112 aligned crop.', {
      [form.oversized]: ['Too large.'],
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
  const isImage = form.image !== null;
  const isEmbedding = form.fields.embedding !== undefined || form.crop !== null || form.fields.modelId !== undefined;
  if (isImage === isEmbedding) {
    return refuse('VALIDATION', 'Send either an image, or an embedding with its modelId and crop (not both).', { image: ['Send an image, or embedding + modelId + crop.'] });
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
  const submission = isImage ? await analysePhoto(form.image!, pipeline) : await readClientFace(form, pipeline);
  if (!submission.ok) return refuse(submission.code, submission.message, submission.errors);

  const defineAction = call.defineAction(operatorId);
  const caseId = await findOrOpenCase(call, defineAction, fields);
  if (!caseId.ok) return done(caseId.response, await caseId.response.clone().json());

  const payload: RecordProbeFacePayload = {
    caseId: caseId.id,
    idempotencyKey: probeFaceKeyFor(call.client.id, idempotencyKey),
    still: { imageSha256: submission.imageSha256, width: submission.width, height: submission.height, source: `API client ${call.client.name}` },
    face: submission.face,
  };
  const recorded = await defineAction(recordProbeFaceSpec)({ payload, crop: submission.crop });
  if (!recorded.ok) return asOutcome(problemFromActionError(call, recorded.error));

  const searched = await defineAction(runSearchSpec)({
    probeFaceId: recorded.data.probeFaceId,
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

type Submission =
  | { ok: true; face: RecordProbeFacePayload['face']; crop: Uint8Array; imageSha256: string; width: number; height: number }
  | { ok: false; code: ApiProblemCode; message: string; errors?: Record<string, string[]> };

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
async function readClientFace(form: SearchForm, pipeline: Pipeline): Promise<Submission> {
  const missing = (['embedding', 'modelId'] as const).filter((name) => !form.fields[name]);
  if (missing.length > 0 || !form.crop) {
    const names = [...missing, ...(form.crop ? [] : ['crop'])];
    return { ok: false, code: 'VALIDATION', message: `An embedding search needs embedding, modelId and crop; missing ${names.join(', ')}.`, errors: Object.fromEntries(names.map((name) => [name, ['Required.']])) };
  }
  if (form.fields.modelId !== pipeline.recognizerId) {
    return { ok: false, code: 'MODEL_MISMATCH', message: `The server searches with ${pipeline.recognizerId}; this embedding was made with ${form.fields.modelId}.`, errors: { modelId: [`Expected ${pipeline.recognizerId}.`] } };
  }
  let embedding: unknown;
  try {
    embedding = JSON.parse(form.fields.embedding!);
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
    face: {
      box: { x: 0, y: 0, width: 112, height: 112 },
      landmarks: arcFaceTemplate112.map((point) => [point.x, point.y] as [number, number]),
      quality: { verdict: 'poor', metrics: {}, reasons: [] },
      detectorScore: null,
      isManualBox: false,
      modelId: form.fields.modelId,
      embedding: embedding as number[],
    },
    crop: form.crop,
    imageSha256: createHash('sha256').update(form.crop).digest('hex'),
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
      candidates: {
        orderBy: { rank: 'asc' },
        select: {
          id: true,
          rank: true,
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
  const measured = (search.probeFace.serverQuality ?? { metrics: {}, reasons: [] }) as { metrics: Record<string, number | null>; reasons: { metric: string; level: 'poor' | 'usable'; message: string }[] };
  const body = {
    id: search.id,
    createdAt: search.createdAt.toISOString(),
    reference: search.case.reference,
    modelId: search.modelId,
    gallerySize: search.gallerySize,
    watchlists: search.watchlistIds.map((id) => ({ id, name: lists.find((list) => list.id === id)?.name ?? '' })),
    imageRetained: false as const,
    quality: { verdict: search.probeFace.serverQualityVerdict ?? search.probeFace.qualityVerdict, metrics: measured.metrics, reasons: measured.reasons },
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
    })),
  };
  return { body, caseId: search.caseId, probeFaceId: search.probeFaceId };
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
