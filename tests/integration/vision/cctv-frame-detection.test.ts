import { beforeAll, describe, expect, it } from 'vitest';
import { decodeImageFile } from '@/lib/server/vision/decode-image-file';
import { loadFacePipeline } from '@/lib/server/vision/load-face-pipeline';
import type { FacePipeline } from '@/lib/vision/face-pipeline';
import { buildRealFrame, matchPastedFaces, realFrameSpecs } from '../../../scripts/bench/real-frames';
import { hasLfw, lfwMissingMessage } from '../../support/lfw';

if (!hasLfw) console.warn(lfwMissingMessage);

// The stills `npm run bench -- pipeline` and `bench page` time: whatever is done to make detection faster
// must still find every pasted face, the small distant one included, on a textured background.
describe.skipIf(!hasLfw)('detection on the CCTV-sized benchmark stills', () => {
  let pipeline: FacePipeline;
  beforeAll(async () => {
    pipeline = await loadFacePipeline();
  });

  for (const spec of realFrameSpecs) {
    it(`finds the ${spec.faces.map((f) => `${f.facePx} px`).join(', ')} faces in the ${spec.name} still`, async () => {
      const frame = await buildRealFrame(spec);
      const { image } = await decodeImageFile(frame.bytes);
      const faces = await pipeline.detectFaces(image);
      const matched = matchPastedFaces(spec, faces.map((f) => f.box));
      expect(matched.map((m) => m.found), `faces: ${JSON.stringify(faces.map((f) => f.box))}`).toEqual(spec.faces.map(() => true));
      // The smallest is found at its own size, not as part of a bigger false box.
      const smallest = matched.at(-1)!;
      expect(smallest.boxPx!).toBeLessThan(spec.faces.at(-1)!.facePx * 1.6);
    }, 120_000);
  }
});
