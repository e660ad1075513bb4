import 'server-only';
import type { PrismaClient } from '@/lib/server/generated/prisma/client';
import type { CropStore } from '@/lib/server/storage/crop-store';
import type { VectorIndex, VectorPoint } from '@/lib/server/vector/vector-index';
import { bytesToEmbedding } from './embedding-bytes';
import { purgeErasedFaceData } from './erase-faces';

export type SyncReport = { indexed: number; deleted: number };

const BATCH = 256;

const pointSelect = {
  id: true,
  vectorPointId: true,
  embedding: true,
  watchlistId: true,
  subjectId: true,
  expiresAt: true,
  modelId: true,
} as const;

type PointRow = {
  id: string;
  vectorPointId: string;
  embedding: Uint8Array;
  watchlistId: string;
  subjectId: string;
  expiresAt: Date;
  modelId: string;
};

export function toVectorPoint(row: PointRow): VectorPoint {
  return {
    id: row.vectorPointId,
    vector: bytesToEmbedding(row.embedding),
    payload: {
      watchlistId: row.watchlistId,
      subjectId: row.subjectId,
      enrolledFaceId: row.id,
      expiresAt: row.expiresAt.toISOString(),
    },
  };
}

/**
 * The indexer: applies committed database changes to the vector index. Faces are written to the
 * database first (state `pending` or `deleting`); only once the index has taken the change is the
 * row moved on (`indexed` / `deleted`). A crash in between leaves the row where it was, and the next
 * sync (or `npm run reconcile`) finishes the job — the index operations are idempotent.
 */
export async function syncVectorIndex(prisma: PrismaClient, index: VectorIndex, crops?: CropStore): Promise<SyncReport> {
  const report: SyncReport = { indexed: 0, deleted: 0 };
  const ensured = new Set<string>();

  for (;;) {
    const pending = await prisma.enrolledFace.findMany({ where: { indexState: 'pending' }, select: pointSelect, take: BATCH, orderBy: { createdAt: 'asc' } });
    if (pending.length === 0) break;
    for (const [modelId, rows] of groupByModel(pending)) {
      const points = rows.map(toVectorPoint);
      if (!ensured.has(modelId)) {
        await index.ensureCollection({ modelId, dimension: points[0]!.vector.length });
        ensured.add(modelId);
      }
      await index.upsert(modelId, points);
      // Only rows still pending move on: one deleted meanwhile stays `deleting` for the next pass.
      const moved = await prisma.enrolledFace.updateMany({
        where: { id: { in: rows.map((row) => row.id) }, indexState: 'pending' },
        data: { indexState: 'indexed' },
      });
      report.indexed += moved.count;
    }
  }

  for (;;) {
    const deleting = await prisma.enrolledFace.findMany({
      where: { indexState: 'deleting' },
      select: { id: true, vectorPointId: true, modelId: true },
      take: BATCH,
    });
    if (deleting.length === 0) break;
    for (const [modelId, rows] of groupByModel(deleting)) {
      await index.deleteByIds(modelId, rows.map((row) => row.vectorPointId));
      const moved = await prisma.enrolledFace.updateMany({
        where: { id: { in: rows.map((row) => row.id) }, indexState: 'deleting' },
        data: { indexState: 'deleted' },
      });
      report.deleted += moved.count;
      if (crops) await purgeErasedFaceData(prisma, crops, rows.map((row) => row.id));
    }
  }
  return report;
}

function groupByModel<T extends { modelId: string }>(rows: T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const group = groups.get(row.modelId);
    if (group) group.push(row);
    else groups.set(row.modelId, [row]);
  }
  return groups;
}
