import { createFacePipeline, type FacePipeline } from './face-pipeline';
import type { QualityPolicy } from './face-quality';
import { createArcFaceRecognizer } from './face-recognizer';
import { createLandmarkLocator } from './landmark-locator';
import { findModel, type ModelEntry, type ModelManifest, verifyModelBytes } from './model-manifest';
import type { CreateModelSession } from './model-session';
import type { Normalisation } from './pixel-image';
import { createUltraFaceDetector } from './ultraface-detector';
import { VisionError } from './vision-error';

// Builds the pipeline from the manifest with whatever runtime the caller supplies. Node passes
// onnxruntime-node and file reads; the worker passes onnxruntime-web and fetch. Model bytes are hashed
// here, in the shared code, so neither runtime can forget to.

export type LoadModelBytes = (entry: ModelEntry) => Promise<Uint8Array>;

export type BuildPipelineOptions = {
  manifest: ModelManifest;
  loadModelBytes: LoadModelBytes;
  createSession: CreateModelSession;
  ids?: { detector?: string; landmarker?: string; recognizer?: string };
  qualityPolicy?: QualityPolicy;
  isFlipAveraged?: boolean;
};

export function normalisationOf(entry: ModelEntry): Normalisation {
  const colour = entry.input.colour;
  return {
    mean: entry.input.normalisation.mean,
    std: entry.input.normalisation.std,
    channelOrder: colour === 'bgr' ? 'bgr' : 'rgb',
  };
}

async function openModel(options: BuildPipelineOptions, entry: ModelEntry) {
  const bytes = await options.loadModelBytes(entry);
  await verifyModelBytes(entry, bytes);
  try {
    return await options.createSession(bytes);
  } catch (error) {
    throw new VisionError('MODEL_MISSING', `Model ${entry.id} could not be opened: ${(error as Error).message}`, { modelId: entry.id });
  }
}

export async function buildFacePipeline(options: BuildPipelineOptions): Promise<FacePipeline> {
  const { manifest } = options;
  const detectorEntry = findModel(manifest, 'detector', options.ids?.detector);
  const landmarkEntry = findModel(manifest, 'landmarker', options.ids?.landmarker);
  const recognizerEntry = findModel(manifest, 'recognizer', options.ids?.recognizer);
  for (const [entry, kind] of [
    [detectorEntry, 'ultraface-rfb-320'],
    [landmarkEntry, 'pfld-68'],
    [recognizerEntry, 'arcface'],
  ] as const) {
    if (entry.kind !== kind) {
      throw new VisionError('MODEL_MISMATCH', `No adapter for ${entry.role} kind ${entry.kind} (model ${entry.id}).`, { modelId: entry.id });
    }
  }
  // One after another: onnxruntime-web's WebGPU provider refuses to create two sessions at once.
  const detectorSession = await openModel(options, detectorEntry);
  const landmarkSession = await openModel(options, landmarkEntry);
  const recognizerSession = await openModel(options, recognizerEntry);
  const [, ih, iw] = detectorEntry.input.shape.slice(-3) as [number, number, number];
  return createFacePipeline({
    detector: createUltraFaceDetector(detectorSession, {
      modelId: detectorEntry.id,
      inputWidth: iw,
      inputHeight: ih,
      normalisation: normalisationOf(detectorEntry),
      scoresOutput: detectorEntry.output.scores ? 'scores' : detectorSession.outputNames[0]!,
      boxesOutput: detectorEntry.output.boxes ? 'boxes' : detectorSession.outputNames[1]!,
    }),
    landmarker: createLandmarkLocator(landmarkSession, {
      modelId: landmarkEntry.id,
      inputSize: landmarkEntry.input.shape.at(-1)!,
      mean: landmarkEntry.input.normalisation.mean[0],
      scale: landmarkEntry.input.normalisation.std[0],
      outputName: Object.keys(landmarkEntry.output)[0] ?? 'output',
    }),
    recognizer: createArcFaceRecognizer(recognizerSession, {
      modelId: recognizerEntry.id,
      inputSize: recognizerEntry.input.shape.at(-1)!,
      dimension: recognizerEntry.embeddingDimension ?? 512,
      normalisation: normalisationOf(recognizerEntry),
      outputName: Object.keys(recognizerEntry.output)[0] ?? 'output',
      isFlipAveraged: options.isFlipAveraged ?? true,
    }),
    qualityPolicy: options.qualityPolicy,
  });
}
