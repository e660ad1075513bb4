import 'server-only';
import type { FacePipeline } from '@/lib/vision/face-pipeline';
import { loadFacePipeline } from './load-face-pipeline';

// Loading the models costs about a second; the server keeps one pipeline for its lifetime (on
// globalThis, so Next's dev reloads do not load a second copy).
const holder = globalThis as typeof globalThis & { __rfrFacePipeline?: Promise<FacePipeline> };

export function getSharedFacePipeline(): Promise<FacePipeline> {
  holder.__rfrFacePipeline ??= loadFacePipeline().catch((error: unknown) => {
    holder.__rfrFacePipeline = undefined;
    throw error;
  });
  return holder.__rfrFacePipeline;
}
