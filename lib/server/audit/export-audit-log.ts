import 'server-only';
import type { Db } from '@/lib/server/db/database';
import type { AuditEvent as AuditEventRow, Prisma } from '@/lib/server/generated/prisma/client';
import { canonicalJson } from '@/lib/shared/canonical-json';
import { latestAnchor, loadAnchorPublicKey, readAuditAnchors, type AuditAnchor } from './audit-anchor';
import type { AuditOutcome } from './audit-hash';

// The audit log as a file someone outside the force can check: every event with its previous-hash,
// its hash and its payload in the canonical form that was hashed, plus the newest signed checkpoint
// and the public key. scripts/verify-audit-export.mjs (plain Node, no project code) recomputes the
// chain from the JSON file and names the first bad link. A filtered export holds only some events:
// each one's hash can still be checked, and the links between consecutive events, but not what
// was left out; only an unfiltered export (`isComplete`) shows that nothing is missing.

export const AUDIT_EXPORT_FORMAT = 'rfr-audit-export/1';

export type AuditExportFilter = {
  /** Events by this user. */
  actorId?: string;
  /** Events about this case or anything in it (probes, faces, searches, candidates, disclosures). */
  caseId?: string;
  action?: string;
  outcome?: AuditOutcome;
  /** Inclusive lower and exclusive upper bound on the event time. */
  from?: Date;
  to?: Date;
};

export type AuditExportRecord = {
  sequence: string;
  createdAt: string;
  actorId: string | null;
  actorRole: string | null;
  action: string;
  outcome: string;
  targetType: string | null;
  targetId: string | null;
  prevHash: string;
  hash: string;
  payload: unknown;
  /** Exactly the text that went into the hash for the payload. */
  canonicalPayload: string;
};

export type AuditExportOptions = { filter?: AuditExportFilter; format: 'json' | 'csv'; dataDir: string; now?: Date };

const BATCH = 1_000;

/** The export as text chunks, so a download route can stream it (`ReadableStream.from(...)`). */
export async function* exportAuditLog(db: Db, options: AuditExportOptions): AsyncGenerator<string> {
  const filter = options.filter ?? {};
  const where = await whereForFilter(db, filter);
  if (options.format === 'csv') {
    yield `${CSV_COLUMNS.join(',')}\r\n`;
    for await (const record of readRecords(db, where)) yield `${csvRow(record)}\r\n`;
    return;
  }
  const publicKey = loadAnchorPublicKey(options.dataDir);
  const checkpoint: AuditAnchor | null = latestAnchor(readAuditAnchors(options.dataDir, publicKey).anchors);
  const header = {
    format: AUDIT_EXPORT_FORMAT,
    exportedAt: (options.now ?? new Date()).toISOString(),
    filter: { ...filter, from: filter.from?.toISOString(), to: filter.to?.toISOString() },
    isComplete: Object.values(filter).every((value) => value === undefined),
    hashing:
      'hash = SHA-256 (hex) of the canonical JSON (keys sorted, no whitespace) of {action, actorId, actorRole, createdAt, outcome, payload, prevHash, sequence, targetId, targetType}; prevHash of event 1 is 64 zeros',
    checkpoint,
    publicKeyPem: publicKey ? (publicKey.export({ type: 'spki', format: 'pem' }) as string) : null,
  };
  const opening = JSON.stringify(header, null, 1);
  yield `${opening.slice(0, opening.lastIndexOf('}')).trimEnd()},\n "events": [`;
  let isFirst = true;
  for await (const record of readRecords(db, where)) {
    yield `${isFirst ? '\n' : ',\n'}  ${JSON.stringify(record)}`;
    isFirst = false;
  }
  yield '\n ]\n}\n';
}

/** The whole export as one string (tests, small logs). */
export async function exportAuditLogToString(db: Db, options: AuditExportOptions): Promise<string> {
  let text = '';
  for await (const chunk of exportAuditLog(db, options)) text += chunk;
  return text;
}

async function* readRecords(db: Db, where: Prisma.AuditEventWhereInput): AsyncGenerator<AuditExportRecord> {
  let after: bigint | null = null;
  for (;;) {
    const rows: AuditEventRow[] = await db.auditEvent.findMany({
      where: after === null ? where : { AND: [where, { sequence: { gt: after } }] },
      orderBy: { sequence: 'asc' },
      take: BATCH,
    });
    for (const row of rows) {
      yield {
        sequence: row.sequence.toString(),
        createdAt: row.createdAt.toISOString(),
        actorId: row.actorId,
        actorRole: row.actorRole,
        action: row.action,
        outcome: row.outcome,
        targetType: row.targetType,
        targetId: row.targetId,
        prevHash: row.prevHash,
        hash: row.hash,
        payload: row.payload,
        canonicalPayload: canonicalJson(row.payload),
      };
    }
    if (rows.length < BATCH) return;
    after = rows[rows.length - 1]!.sequence;
  }
}

async function whereForFilter(db: Db, filter: AuditExportFilter): Promise<Prisma.AuditEventWhereInput> {
  const clauses: Prisma.AuditEventWhereInput[] = [];
  if (filter.actorId) clauses.push({ actorId: filter.actorId });
  if (filter.action) clauses.push({ action: filter.action });
  if (filter.outcome) clauses.push({ outcome: filter.outcome });
  if (filter.from) clauses.push({ createdAt: { gte: filter.from } });
  if (filter.to) clauses.push({ createdAt: { lt: filter.to } });
  if (filter.caseId) clauses.push({ OR: [{ targetId: { in: await idsInCase(db, filter.caseId) } }, { payload: { path: ['caseId'], equals: filter.caseId } }] });
  return clauses.length ? { AND: clauses } : {};
}

// Older events name only their target (a search, a candidate), not the case: the case's objects are
// looked up so that those events are found too.
async function idsInCase(db: Db, caseId: string): Promise<string[]> {
  const probes = await db.probe.findMany({ where: { caseId }, select: { id: true, faces: { select: { id: true } } } });
  const searches = await db.search.findMany({ where: { caseId }, select: { id: true, candidates: { select: { id: true, disclosures: { select: { id: true } } } } } });
  return [
    caseId,
    ...probes.flatMap((probe) => [probe.id, ...probe.faces.map((face) => face.id)]),
    ...searches.flatMap((search) => [search.id, ...search.candidates.flatMap((candidate) => [candidate.id, ...candidate.disclosures.map((disclosure) => disclosure.id)])]),
  ];
}

const CSV_COLUMNS = ['sequence', 'createdAt', 'actorId', 'actorRole', 'action', 'outcome', 'targetType', 'targetId', 'ip', 'userAgent', 'prevHash', 'hash', 'payload'] as const;

function csvRow(record: AuditExportRecord): string {
  const request = (record.payload as { request?: { ip?: string | null; userAgent?: string | null } } | null)?.request;
  const cells: Record<(typeof CSV_COLUMNS)[number], string | null> = {
    sequence: record.sequence,
    createdAt: record.createdAt,
    actorId: record.actorId,
    actorRole: record.actorRole,
    action: record.action,
    outcome: record.outcome,
    targetType: record.targetType,
    targetId: record.targetId,
    ip: request?.ip ?? null,
    userAgent: request?.userAgent ?? null,
    prevHash: record.prevHash,
    hash: record.hash,
    payload: record.canonicalPayload,
  };
  return CSV_COLUMNS.map((column) => csvCell(cells[column], column !== 'payload')).join(',');
}

// A spreadsheet runs a cell that starts with = + - @ as a formula; such cells (a user agent, an e-mail
// typed at sign-in) get a leading apostrophe. The payload (always "{…}") is kept exact; the JSON
// export is the one to verify.
function csvCell(value: string | null, isGuarded: boolean): string {
  if (value === null) return '';
  const safe = isGuarded && /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
