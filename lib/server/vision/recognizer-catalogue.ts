import 'server-only';
import { readModelManifest } from '@/lib/server/vision/load-face-pipeline';
import type { ModelManifest } from '@/lib/vision/model-manifest';
import { AppError } from '@/lib/shared/errors';

let manifest: Promise<ModelManifest> | undefined;

/**
 * The embedding dimension of a recogniser listed in the shipped manifest. An embedding whose model is
 * unknown, or whose length does not match its model, is refused: a gallery is only ever searched with
 * vectors from the model that built it.
 */
export async function requireRecognizerDimension(modelId: string): Promise<number> {
  manifest ??= readModelManifest();
  const entry = (await manifest).models.find((model) => model.id === modelId && model.role === 'recognizer');
  if (!entry) throw new AppError('VALIDATION', `Unknown face model "${modelId}".`);
  const dimension = (entry as { embeddingDimension?: number }).embeddingDimension;
  if (!dimension) throw new AppError('INTERNAL', `The manifest does not give ${modelId}'s embedding size.`);
  return dimension;
}
