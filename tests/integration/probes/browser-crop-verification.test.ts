import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MIN_EMBEDDING_AGREEMENT, verifyProbeFace } from '@/lib/server/probes/verify-probe-face';
import { loadFacePipeline } from '@/lib/server/vision/load-face-pipeline';
import { recordProbeFaceSchema } from '@/lib/shared/schemas/probe';
import { analyseInBrowser } from '@/scripts/bench/verify';
import { chromiumPath } from '@/scripts/support/headless-chromium';
import { hasChromium, hasLfw, lfwImage, lfwMissingMessage } from '../../support/lfw';

// What the workbench really sends (the worker's PNG crop and embedding, made by onnxruntime-web in
// headless Chromium) passes the server's check: the re-embedding agrees and the claimed verdict holds.
const canRun = hasLfw && hasChromium;
if (!canRun) console.warn(hasLfw ? `Chromium not found at ${chromiumPath}: skipping the browser crop verification test` : lfwMissingMessage);

describe.skipIf(!canRun)("the server accepts the browser worker's own submissions", () => {
  it('re-embeds browser PNG crops to agreement ≥ the threshold, with no quality claim refused', async () => {
    const files = [
      { person: 'Colin_Powell', file: lfwImage('Colin_Powell', 1) },
      { person: 'Serena_Williams', file: lfwImage('Serena_Williams', 1) },
      { person: 'Gerhard_Schroeder', file: lfwImage('Gerhard_Schroeder', 2) },
    ];
    const submitted = await analyseInBrowser(files);
    expect(submitted).toHaveLength(files.length);
    const pipeline = await loadFacePipeline();
    for (const face of submitted) {
      const input = recordProbeFaceSchema.parse({
        payload: {
          caseId: randomUUID(),
          idempotencyKey: randomUUID(),
          still: { imageSha256: 'c'.repeat(64), width: 250, height: 250, source: 'LFW' },
          face: face.face,
        },
        crop: new Uint8Array(face.png),
      });
      const verification = await verifyProbeFace({ input, pipeline });
      expect(verification.embeddingAgreement).toBeGreaterThanOrEqual(MIN_EMBEDDING_AGREEMENT);
      expect(verification.serverQuality.verdict).toBe(face.face.quality.verdict);
    }
  });
});
