import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Database } from '@/lib/server/db/database';

// What a refused request may change: nothing but the audit log. A snapshot holds the row count of
// every table, the audit log's last sequence number and every file under the data folder (path, size,
// modification time); `changesSince` lists what differs, and the audit events added meanwhile.

export type StateSnapshot = { counts: Record<string, number>; lastAuditSequence: bigint; files: Map<string, string> };

const AUDIT_TABLE = 'audit_events';

async function listFiles(root: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const info = await stat(path).catch(() => null);
    if (info) files.set(path.slice(root.length + 1), `${info.size}@${info.mtimeMs}`);
  }
  return files;
}

async function tableNames(database: Database): Promise<string[]> {
  const rows = await database.driver.query<{ name: string }>(
    "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name",
  );
  return rows.map((row) => row.name);
}

export async function takeSnapshot(database: Database, dataDir: string): Promise<StateSnapshot> {
  const counts: Record<string, number> = {};
  for (const table of await tableNames(database)) {
    if (table === AUDIT_TABLE) continue;
    const [row] = await database.driver.query<{ n: string | number }>(`SELECT count(*) AS n FROM "${table}"`);
    counts[table] = Number(row?.n ?? 0);
  }
  const last = await database.prisma.auditEvent.findFirst({ orderBy: { sequence: 'desc' }, select: { sequence: true } });
  return { counts, lastAuditSequence: last?.sequence ?? 0n, files: await listFiles(dataDir) };
}

export type AddedAuditEvent = { action: string; outcome: string; actorId: string | null; targetType: string | null; targetId: string | null; payload: Record<string, unknown> };

export async function changesSince(database: Database, dataDir: string, before: StateSnapshot): Promise<{ changes: string[]; auditEvents: AddedAuditEvent[] }> {
  const after = await takeSnapshot(database, dataDir);
  const changes: string[] = [];
  for (const table of new Set([...Object.keys(before.counts), ...Object.keys(after.counts)])) {
    if (before.counts[table] !== after.counts[table]) changes.push(`table ${table}: ${before.counts[table] ?? 'absent'} → ${after.counts[table] ?? 'absent'} rows`);
  }
  for (const [path, signature] of after.files) {
    if (!before.files.has(path)) changes.push(`file added: ${path}`);
    else if (before.files.get(path) !== signature) changes.push(`file changed: ${path}`);
  }
  for (const path of before.files.keys()) if (!after.files.has(path)) changes.push(`file removed: ${path}`);
  const auditEvents = await database.prisma.auditEvent.findMany({
    where: { sequence: { gt: before.lastAuditSequence } },
    orderBy: { sequence: 'asc' },
    select: { action: true, outcome: true, actorId: true, targetType: true, targetId: true, payload: true },
  });
  return { changes, auditEvents: auditEvents.map((event) => ({ ...event, payload: (event.payload ?? {}) as Record<string, unknown> })) };
}
