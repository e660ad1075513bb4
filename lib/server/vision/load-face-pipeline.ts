import 'server-only';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { buildFacePipeline } from '@/lib/vision/build-pipeline';
import type { FacePipeline } from '@/lib/vision/face-pipeline';
import type { QualityPolicy } from '@/lib/vision/face-quality';
import { type ModelEntry, type ModelManifest, parseModelManifest } from '@/lib/vision/model-manifest';
import { VisionError } from '@/lib/vision/vision-error';
import { createNodeSessionFactory } from './ort-node-session';

export const defaultModelsDir = resolve(process.cwd(), 'public/models');

export async function readModelManifest(modelsDir = defaultModelsDir): Promise<ModelManifest> {
  let text: string;
  try {
    text = await readFile(join(modelsDir, 'manifest.json'), 'utf8');
  } catch {
    throw new VisionError('MODEL_MISSING', `No model manifest at ${join(modelsDir, 'manifest.json')}.`);
  }
  return parseModelManifest(JSON.parse(text));
}

export async function readModelFile(modelsDir: string, entry: ModelEntry): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(join(modelsDir, entry.file)));
  } catch {
    throw new VisionError('MODEL_MISSING', `Model file ${entry.file} for ${entry.id} is missing; run \`node scripts/postinstall.mjs\`.`, {
      modelId: entry.id,
    });
  }
}

export type LoadFacePipelineOptions = {
  modelsDir?: string;
  intraOpThreads?: number;
  qualityPolicy?: QualityPolicy;
  isFlipAveraged?: boolean;
  ids?: { detector?: string; landmarker?: string; recognizer?: string };
};

export async function loadFacePipeline(options: LoadFacePipelineOptions = {}): Promise<FacePipeline> {
  const modelsDir = options.modelsDir ?? defaultModelsDir;
  const manifest = await readModelManifest(modelsDir);
  return buildFacePipeline({
    manifest,
    loadModelBytes: (entry) => readModelFile(modelsDir, entry),
    createSession: createNodeSessionFactory({ intraOpThreads: options.intraOpThreads }),
    ids: options.ids,
    qualityPolicy: options.qualityPolicy,
    isFlipAveraged: options.isFlipAveraged,
  });
}
