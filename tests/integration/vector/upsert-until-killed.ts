// Child process for the vector contract test: writes to the embedded index for ever, printing each
// write once it has been acknowledged (the promise resolved). The test SIGKILLs it part-way through.
//   acked <id,id,…>    these points were upserted
//   erasing <id,id,…>  a delete of these points has started (the kill may land before or after it is durable)
//   erased <id,id,…>   these points were deleted
import { randomUUID } from 'node:crypto';
import { EmbeddedVectorIndex } from '@/lib/server/vector/embedded-index';

const [directory, modelId, dimensionText] = process.argv.slice(2);
const dimension = Number(dimensionText);
// A tiny compaction threshold, so the kill can also land in the middle of a snapshot rewrite.
const index = new EmbeddedVectorIndex({ directory: directory!, compactLogBytes: 16 * 1024 });
let previous: string[] = [];

for (let batch = 0; ; batch++) {
  const points = Array.from({ length: 50 }, (_, i) => ({
    id: randomUUID(),
    vector: Float32Array.from({ length: dimension }, (_, j) => Math.sin(batch * 131 + i * 17 + j) + 0.01),
    payload: { watchlistId: batch % 2 === 0 ? 'wl-even' : 'wl-odd', subjectId: `s-${batch}-${i}`, enrolledFaceId: `f-${batch}-${i}`, expiresAt: null },
  }));
  await index.upsert(modelId!, points);
  process.stdout.write(`acked ${points.map((point) => point.id).join(',')}\n`);
  // Erase a few of the previous batch: deletions compact, so the kill also meets snapshot rewrites.
  const erased = previous.slice(0, 5);
  if (erased.length > 0) {
    process.stdout.write(`erasing ${erased.join(',')}\n`);
    await index.deleteByIds(modelId!, erased);
    process.stdout.write(`erased ${erased.join(',')}\n`);
  }
  previous = points.map((point) => point.id);
}
