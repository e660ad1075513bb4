import 'server-only';
import type { PrismaClient } from '@/lib/server/generated/prisma/client';
import { recordAuditEvent } from '@/lib/server/audit/append-audit-event';
import { isVectorIndexError, type VectorIndex } from '@/lib/server/vector/vector-index';
import { toVectorPoint } from './sync-vector-index';

export type ModelReconciliation = {
  modelId: string;
  /** Faces the database says should be searchable (pending or indexed). */
  expected: number;
  /** Points in the index before repair. */
  indexedBefore: number;
  /** Expected faces missing from the index, re-inserted from the database's embeddings. */
  reinserted: number;
  /** Points in the index with no live face behind them (deleted, or written by a crashed run), removed. */
  removed: number;
  /** Rows whose state said pending/deleting although the index already agreed, corrected. */
  statesCorrected: number;
  /** Points in the index after repair; equals `expected` on success. */
  indexedAfter: number;
};

const BATCH = 512;

/**
 * Compares the database (the source of truth) with the vector index, model by model, and repairs the
 * index to match: missing points are re-inserted from stored embeddings, stray points removed, and
 * row states brought up to date. Safe to run at any time, any number of times.
 */
export async function reconcileVectorIndex(prisma: PrismaClient, index: VectorIndex): Promise<ModelReconciliation[]> {
  const models = await prisma.enrolledFace.findMany({ distinct: ['modelId'], select: { modelId: true } });
  const reports: ModelReconciliation[] = [];
  for (const { modelId } of models) reports.push(await reconcileModel(prisma, index, modelId));

  const changed = reports.filter((report) => report.reinserted || report.removed || report.statesCorrected);
  if (changed.length > 0) {
    await recordAuditEvent(prisma, {
      actorId: null,
      actorRole: 'system',
      action: 'index.reconcile',
      outcome: 'success',
      targetType: 'vector_index',
      targetId: index.engine,
      payload: { models: changed },
    });
  }
  return reports;
}

async function reconcileModel(prisma: PrismaClient, index: VectorIndex, modelId: string): Promise<ModelReconciliation> {
  const live = await prisma.enrolledFace.findMany({
    where: { modelId, indexState: { in: ['pending', 'indexed'] } },
    select: { id: true, vectorPointId: true, indexState: true },
  });
  const liveIds = new Set(live.map((row) => row.vectorPointId));
  const indexIds = new Set(await listIdsOrEmpty(index, modelId));

  const missing = live.filter((row) => !indexIds.has(row.vectorPointId));
  for (let start = 0; start < missing.length; start += BATCH) {
    const rows = await prisma.enrolledFace.findMany({
      where: { id: { in: missing.slice(start, start + BATCH).map((row) => row.id) } },
      select: { id: true, vectorPointId: true, embedding: true, watchlistId: true, subjectId: true, expiresAt: true, modelId: true },
    });
    const points = rows.map(toVectorPoint);
    if (points.length) {
      await index.ensureCollection({ modelId, dimension: points[0]!.vector.length });
      await index.upsert(modelId, points);
    }
  }

  const strays = [...indexIds].filter((id) => !liveIds.has(id));
  for (let start = 0; start < strays.length; start += BATCH) {
    await index.deleteByIds(modelId, strays.slice(start, start + BATCH));
  }

  const pendingNowIndexed = await prisma.enrolledFace.updateMany({
    where: { modelId, indexState: 'pending', vectorPointId: { in: [...liveIds] } },
    data: { indexState: 'indexed' },
  });
  const deletionsDone = await prisma.enrolledFace.updateMany({ where: { modelId, indexState: 'deleting' }, data: { indexState: 'deleted' } });

  return {
    modelId,
    expected: live.length,
    indexedBefore: indexIds.size,
    reinserted: missing.length,
    removed: strays.length,
    statesCorrected: pendingNowIndexed.count + deletionsDone.count,
    indexedAfter: await index.count(modelId).catch(() => 0),
  };
}

async function listIdsOrEmpty(index: VectorIndex, modelId: string): Promise<string[]> {
  try {
    return await index.listIds(modelId);
  } catch (error) {
    if (isVectorIndexError(error, 'UNKNOWN_COLLECTION')) return [];
    throw error;
  }
}
