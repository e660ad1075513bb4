import 'server-only';
import { getPrisma, type Db } from '@/lib/server/db/database';
import { readModelManifest } from '@/lib/server/vision/load-face-pipeline';
import { calibrationTableFor } from '@/lib/shared/calibration/false-match-rate';
import type { ModelRole } from '@/lib/vision/model-manifest';

export type RegisteredModel = {
  id: string;
  role: ModelRole;
  file: string;
  sha256: string;
  bytes: number | null;
  licence: string;
  isDefault: boolean;
  calibration: { dataset: string; impostorComparisons: number; genuineComparisons: number; measuredAt: string; thresholds: { fmr: number; score: number | null }[] } | null;
};

/** The model manifest as the server reads it, with the calibration table each recogniser's scores use. */
export async function listRegisteredModels(): Promise<RegisteredModel[]> {
  const manifest = await readModelManifest();
  const defaults = new Set(Object.values(manifest.defaults));
  return manifest.models.map((entry) => {
    const table = entry.role === 'recognizer' ? calibrationTableFor(entry.id) : undefined;
    return {
      id: entry.id,
      role: entry.role,
      file: entry.file,
      sha256: entry.sha256,
      bytes: entry.bytes ?? null,
      licence: entry.licence,
      isDefault: defaults.has(entry.id),
      calibration: table
        ? { dataset: table.dataset, impostorComparisons: table.impostorComparisons, genuineComparisons: table.genuineComparisons, measuredAt: table.measuredAt, thresholds: table.thresholds }
        : null,
    };
  });
}

export type PolicyChange = { sequence: string; at: Date; actorId: string | null; action: string; previous: unknown; next: unknown };

/**
 * Every change of a policy setting, newest first, from the audit log (which records who, when and the
 * previous value): the history is the log itself, so it cannot disagree with it.
 */
export async function listPolicyChanges(limit = 50, db?: Db): Promise<PolicyChange[]> {
  db ??= await getPrisma();
  const rows = await db.auditEvent.findMany({
    where: { action: { startsWith: 'settings.' }, outcome: 'success' },
    orderBy: { sequence: 'desc' },
    take: limit,
    select: { sequence: true, createdAt: true, actorId: true, action: true, payload: true },
  });
  return rows.map((row) => {
    const payload = (row.payload ?? {}) as { previous?: unknown; next?: unknown };
    return { sequence: row.sequence.toString(), at: row.createdAt, actorId: row.actorId, action: row.action, previous: payload.previous ?? null, next: payload.next ?? null };
  });
}
