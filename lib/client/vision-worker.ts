/// <reference lib="webworker" />
// The vision Web Worker: runs the shared lib/vision pipeline with onnxruntime-web so a 60 MP still or a
// slow model never blocks the investigator's page. Each request is answered exactly once, with a result
// or a typed error; no request can kill the worker.
import { buildFacePipeline } from '@/lib/vision/build-pipeline';
import { type DecodedImageInfo, defaultDecodePolicy, planWorkingSize } from '@/lib/vision/decode-policy';
import type { FacePipeline } from '@/lib/vision/face-pipeline';
import { parseModelManifest } from '@/lib/vision/model-manifest';
import { type PixelImage, resizeImage, type RgbImage, toRgba } from '@/lib/vision/pixel-image';
import { readImageSize, readJpegOrientation, sniffImage } from '@/lib/vision/sniff-image';
import { serializeVisionError, VisionError } from '@/lib/vision/vision-error';
import type {
  AnalyseFrameResult,
  AnalyseResult,
  CropData,
  CropFormat,
  DetectResult,
  ImageSource,
  InitOptions,
  InitResult,
  WorkerBackend,
  WorkerRequest,
  WorkerResponse,
  WorkerTiming,
} from '@/lib/vision/worker-protocol';
import { chooseBackend, configureOrtWeb, createWebSessionFactory } from './ort-web-session';

declare const self: DedicatedWorkerGlobalScope;

type StoredImage = { image: PixelImage; info: DecodedImageInfo };

const maxStoredImages = 4;
const images = new Map<string, StoredImage>();
let pipeline: FacePipeline | null = null;
let backend: WorkerBackend = 'wasm';
let initOptions: InitOptions = {};
let numThreads = 1;
let nextImageId = 1;

// Requests run one at a time (see the queue below), so one list of spans serves the request in hand.
let spans: WorkerTiming['spans'] = [];
const epochNow = () => performance.timeOrigin + performance.now();

/** Runs `work` and records how long it took under `name`, for the page's stage timings. */
async function timed<T>(name: string, work: () => Promise<T>): Promise<T> {
  const start = epochNow();
  try {
    return await work();
  } finally {
    spans.push({ name, start, ms: epochNow() - start });
  }
}

/**
 * The first inference of an onnxruntime-web session is several times slower than the next (kernels and
 * buffers are set up then). A blank frame run through each model right after loading moves that cost
 * from the investigator's first still to the moment the page opens. Its result is thrown away.
 */
async function warmUp(ready: FacePipeline): Promise<void> {
  const blank: RgbImage = { width: 320, height: 240, channels: 3, data: new Uint8Array(320 * 240 * 3).fill(128) };
  try {
    await ready.detectFaces(blank, { minFaceSize: 240 });
    await ready.analyseFace(blank, { box: { x: 100, y: 60, width: 120, height: 120 }, score: 1 });
  } catch {
    // A failed warm-up only means the first still pays the set-up cost; the real request reports errors.
  }
}

async function fetchBytes(url: string, missing: () => VisionError): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch {
    throw missing();
  }
  if (!response.ok) throw missing();
  return new Uint8Array(await response.arrayBuffer());
}

async function initialise(options: InitOptions): Promise<InitResult> {
  initOptions = options;
  const base = options.modelsBaseUrl ?? '/models/';
  numThreads = configureOrtWeb({ wasmPaths: options.wasmPaths, numThreads: options.numThreads });
  backend = await chooseBackend(options.backend);
  const manifestBytes = await fetchBytes(`${base}manifest.json`, () => new VisionError('MODEL_MISSING', 'The model manifest could not be loaded.'));
  const manifest = parseModelManifest(JSON.parse(new TextDecoder().decode(manifestBytes)));
  pipeline = await timed('load-models', () => buildFacePipeline({
    manifest,
    loadModelBytes: (entry) =>
      fetchBytes(`${base}${entry.file}`, () => new VisionError('MODEL_MISSING', `Model file ${entry.file} (${entry.id}) could not be loaded.`, { modelId: entry.id })),
    createSession: createWebSessionFactory(backend),
    isFlipAveraged: options.isFlipAveraged,
  }));
  const built = pipeline;
  await timed('warm-up', () => warmUp(built));
  return {
    isCrossOriginIsolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true,
    backend,
    detectorId: pipeline.detectorId, landmarkerId: pipeline.landmarkerId, recognizerId: pipeline.recognizerId, numThreads };
}

/**
 * Same acceptance rules as the Node decoder: sniff first, refuse animation and decompression bombs, and
 * decode a huge photo straight to the working size so the tab never holds 60 MP of RGBA.
 */
async function decodeSource(source: ImageSource): Promise<StoredImage> {
  const policy = defaultDecodePolicy;
  const bytes = new Uint8Array(source instanceof Blob ? await source.arrayBuffer() : source);
  if (bytes.length === 0) throw new VisionError('EMPTY_IMAGE', 'The file is empty.');
  const sniffed = sniffImage(bytes);
  if (!sniffed) throw new VisionError('UNSUPPORTED_FORMAT', 'The file is not a supported image (JPEG, PNG, WebP, GIF, BMP).');
  if (sniffed.isAnimated && policy.animated === 'refuse') {
    throw new VisionError('ANIMATED_IMAGE', 'The file is animated; export the frame you want to analyse as a still image.', { format: sniffed.format });
  }
  const stored = readImageSize(bytes);
  if (stored && (stored.width < 1 || stored.height < 1)) throw new VisionError('EMPTY_IMAGE', 'The image has no pixels.');
  if (stored && stored.width * stored.height > policy.maxInputPixels) {
    throw new VisionError('IMAGE_TOO_LARGE', `The image is ${Math.round((stored.width * stored.height) / 1e6)} megapixels; the limit is ${Math.round(policy.maxInputPixels / 1e6)}.`);
  }
  const isTransposed = sniffed.format === 'jpeg' && readJpegOrientation(bytes) >= 5;
  const oriented = stored && (isTransposed ? { width: stored.height, height: stored.width } : stored);
  const plan = oriented ? planWorkingSize(oriented.width, oriented.height, policy.maxWorkingPixels) : null;
  let bitmap: ImageBitmap;
  try {
    const blob = new Blob([bytes as Uint8Array<ArrayBuffer>]);
    bitmap = plan && plan.scale < 1
      ? await createImageBitmap(blob, { imageOrientation: 'from-image', resizeWidth: plan.width, resizeHeight: plan.height, resizeQuality: 'high' })
      : await createImageBitmap(blob, { imageOrientation: 'from-image' });
  } catch (error) {
    throw new VisionError('DECODE_FAILED', `The image could not be decoded: ${(error as Error).message ?? error}`, { format: sniffed.format });
  }
  try {
    if (bitmap.width < 1 || bitmap.height < 1) throw new VisionError('EMPTY_IMAGE', 'The image has no pixels.');
    // Formats whose header we do not parse are reduced after decoding instead.
    const { image } = bitmapToWorkingPixels(bitmap, policy.maxWorkingPixels);
    const originalWidth = oriented?.width ?? bitmap.width;
    const originalHeight = oriented?.height ?? bitmap.height;
    return {
      image,
      info: { format: sniffed.format, originalWidth, originalHeight, scale: image.width / originalWidth, isAnimated: sniffed.isAnimated },
    };
  } finally {
    bitmap.close();
  }
}

function storeImage(stored: StoredImage): string {
  const id = `img-${nextImageId++}`;
  images.set(id, stored);
  while (images.size > maxStoredImages) images.delete(images.keys().next().value!);
  return id;
}

async function encodeCrop(image: RgbImage, format: CropFormat): Promise<CropData> {
  const rgba = toRgba(image);
  const data = new Uint8ClampedArray(rgba.data);
  if (format === 'rgba') return { format, width: image.width, height: image.height, data };
  const canvas = new OffscreenCanvas(image.width, image.height);
  canvas.getContext('2d')!.putImageData(new ImageData(data, image.width, image.height), 0, 0);
  const blob = await canvas.convertToBlob({ type: format === 'png' ? 'image/png' : 'image/jpeg', quality: 0.92 });
  return { format, width: image.width, height: image.height, blob };
}

function requirePipeline(): FacePipeline {
  if (!pipeline) throw new VisionError('WORKER_FAILED', 'The vision worker has not been initialised.');
  return pipeline;
}

async function analyse(stored: StoredImage, box: AnalyseResult['box'], score: number | null | undefined, cropFormat: CropFormat): Promise<AnalyseResult> {
  const started = performance.now();
  const a = await requirePipeline().analyseFace(stored.image, { box, score }, {
    onStage: (stage, ms) => spans.push({ name: stage, start: epochNow() - ms, ms }),
  });
  const crop = await timed('encode-crop', () => encodeCrop(a.aligned, cropFormat));
  return {
    box: a.box,
    detectorScore: a.detectorScore,
    isManualBox: a.isManualBox,
    landmarks: a.landmarks,
    quality: a.quality,
    crop,
    embedding: a.embedding,
    modelId: a.modelId,
    ms: performance.now() - started,
  };
}

async function detect(source: ImageSource, options: Parameters<FacePipeline['detectFaces']>[1]): Promise<DetectResult> {
  const started = performance.now();
  const stored = await timed('decode', () => decodeSource(source));
  const decodeMs = performance.now() - started;
  const faces = await timed('detect', () =>
    requirePipeline().detectFaces(stored.image, {
      ...options,
      onLevel: (level) =>
        spans.push({ name: `detect ×${level.scale.toFixed(3)} (${level.tiles} tile${level.tiles === 1 ? '' : 's'})`, start: epochNow() - level.ms, ms: level.ms }),
    }),
  );
  const imageId = storeImage(stored);
  return { imageId, width: stored.image.width, height: stored.image.height, info: stored.info, faces, detectorId: requirePipeline().detectorId, decodeMs, ms: performance.now() - started };
}

function hexOf(digest: ArrayBuffer): string {
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * A decoded bitmap's RGBA pixels, reduced to the working size when it holds more than `maxPixels`: the
 * one way a still and a clip frame become the pipeline's input in the worker. The canvas keeps the
 * bitmap at full size, for a caller that encodes it.
 */
function bitmapToWorkingPixels(bitmap: ImageBitmap, maxPixels: number): { image: PixelImage; canvas: OffscreenCanvas } {
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new VisionError('DECODE_FAILED', 'No 2D canvas is available in this browser worker.');
  ctx.drawImage(bitmap, 0, 0);
  const image: PixelImage = { width: bitmap.width, height: bitmap.height, channels: 4, data: ctx.getImageData(0, 0, bitmap.width, bitmap.height).data };
  const plan = planWorkingSize(image.width, image.height, maxPixels);
  return { image: plan.scale < 1 ? resizeImage(image, plan.width, plan.height) : image, canvas };
}

/**
 * A clip frame, already decoded by the page (a video element or WebCodecs), arrives as a transferred
 * ImageBitmap: no container parsing here. Every face is analysed at once, since the clip panel needs
 * each one's quality and embedding to build tracks; nothing of the frame is kept afterwards.
 */
async function analyseFrame(frame: ImageBitmap, options: Parameters<FacePipeline['detectFaces']>[1], cropFormat: CropFormat): Promise<AnalyseFrameResult> {
  const started = performance.now();
  try {
    if (frame.width < 1 || frame.height < 1) throw new VisionError('EMPTY_IMAGE', 'The frame has no pixels.');
    const { image, canvas } = bitmapToWorkingPixels(frame, defaultDecodePolicy.maxWorkingPixels);
    const stored: StoredImage = { image, info: { format: 'png', originalWidth: frame.width, originalHeight: frame.height, scale: image.width / frame.width, isAnimated: false } };
    const detected = await requirePipeline().detectFaces(image, options);
    const faces: AnalyseResult[] = [];
    for (const face of detected) faces.push(await analyse(stored, face.box, face.score, cropFormat));
    // The frame's own hash: the PNG this canvas encodes is the one rendering of the frame the probe can name.
    const frameSha256 = faces.length > 0 ? hexOf(await crypto.subtle.digest('SHA-256', await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer())) : null;
    return { width: image.width, height: image.height, faces, frameSha256, ms: performance.now() - started };
  } finally {
    frame.close();
  }
}

async function handle(request: WorkerRequest): Promise<unknown> {
  switch (request.type) {
    case 'init':
      return initialise(request.options);
    case 'detect':
      return detect(request.source, request.options);
    case 'analyse': {
      const stored = images.get(request.imageId);
      if (!stored) throw new VisionError('WORKER_FAILED', 'That image is no longer held by the vision worker; detect it again.');
      return analyse(stored, request.box, request.score, request.cropFormat ?? 'png');
    }
    case 'analyse-image': {
      const started = performance.now();
      const detected = await detect(request.source, request.options);
      const stored = images.get(detected.imageId)!;
      const faces: AnalyseResult[] = [];
      for (const f of detected.faces) faces.push(await analyse(stored, f.box, f.score, request.cropFormat ?? 'rgba'));
      return { detect: detected, faces, ms: performance.now() - started };
    }
    case 'release':
      images.delete(request.imageId);
      return null;
    case 'analyse-frame':
      return analyseFrame(request.frame, request.options, request.cropFormat ?? 'png');
  }
}

function transferablesOf(result: unknown): Transferable[] {
  const out: Transferable[] = [];
  const visit = (value: unknown) => {
    if (value instanceof Float32Array || value instanceof Uint8ClampedArray) out.push(value.buffer as ArrayBuffer);
    else if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object' && !(value instanceof Blob)) Object.values(value).forEach(visit);
  };
  visit(result);
  return [...new Set(out)];
}

async function handleWithRecovery(request: WorkerRequest): Promise<unknown> {
  try {
    return await handle(request);
  } catch (error) {
    // A lost GPU device is recoverable: rebuild on WASM, tell the page, and retry the request once.
    if (error instanceof VisionError && error.code === 'BACKEND_LOST' && backend === 'webgpu' && request.type !== 'init') {
      await initialise({ ...initOptions, backend: 'wasm' });
      const event: WorkerResponse = { id: -1, event: 'backend-changed', backend: 'wasm', reason: error.message };
      self.postMessage(event);
      return handle(request);
    }
    throw error;
  }
}

// Requests run one at a time: the ORT sessions are not re-entrant, and ordering keeps cancellations simple.
let queue: Promise<void> = Promise.resolve();

self.onmessage = (event: MessageEvent<WorkerRequest>) => {
  const request = event.data;
  const receivedAt = epochNow();
  queue = queue.then(async () => {
    let response: WorkerResponse;
    let transfer: Transferable[] = [];
    spans = [];
    try {
      const result = await handleWithRecovery(request);
      response = { id: request.id, ok: true, result, timing: { receivedAt, repliedAt: epochNow(), spans } };
      transfer = transferablesOf(result);
    } catch (error) {
      response = { id: request.id, ok: false, error: serializeVisionError(error) };
    }
    self.postMessage(response, transfer);
  });
};

self.addEventListener('unhandledrejection', (event) => {
  event.preventDefault();
});
