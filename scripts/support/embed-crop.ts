// Prints the server recogniser's embedding of an aligned 112×112 face crop as JSON:
//   node --conditions=react-server --import tsx scripts/support/embed-crop.ts CROP.png
// For tests and benchmarks that search by embedding + crop, as a partner app that embeds on the
// device would: the same model and steps the server uses to check the crop.
import { readFile } from 'node:fs/promises';
import { decodeAlignedCrop } from '@/lib/server/probes/verify-probe-face';
import { loadFacePipeline } from '@/lib/server/vision/load-face-pipeline';
import { arcFaceTemplate112 } from '@/lib/vision/align-face';

const paths = process.argv.slice(2);
if (paths.length === 0) {
  console.error('usage: embed-crop.ts CROP.png [CROP.png …]');
  process.exit(2);
}
const pipeline = await loadFacePipeline();
const out = [];
for (const path of paths) {
  const aligned = await decodeAlignedCrop(new Uint8Array(await readFile(path)));
  const embedding = await pipeline.embedAlignedFace(aligned, arcFaceTemplate112);
  out.push({ path, modelId: pipeline.recognizerId, embedding: Array.from(embedding) });
}
console.log(JSON.stringify(out));
