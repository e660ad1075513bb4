import 'server-only';
import type { TransactionClient } from '@/lib/server/db/database';
import type { PrismaClient } from '@/lib/server/generated/prisma/client';
import { CROP_LOCK_CLASS } from '@/lib/server/probes/record-probe-face';
import type { CropStore } from '@/lib/server/storage/crop-store';
import type { PackStore } from '@/lib/server/storage/pack-store';

/**
 * Files are deleted mark-then-sweep. The transaction that removes a file's last database reference
 * also writes a note naming the file; only after it commits is the file removed, and only once it is
 * gone is the note deleted. A crash before the commit leaves the file referenced (nothing lost); a
 * crash after it leaves the note, and the next sweep removes the file (nothing left behind).
 */
export async function noteFilesForDeletion(tx: TransactionClient, keys: Iterable<string>): Promise<string[]> {
  const unique = [...new Set([...keys].filter((key) => key.length > 0))];
  if (unique.length > 0) await tx.storedFileDeletion.createMany({ data: unique.map((key) => ({ key })), skipDuplicates: true });
  return unique;
}

// Evidence copies are written (under this lock) only by preserve-evidence.ts; the sweep takes the same
// lock, so a copy being made for one candidate is never removed as the leftover of another.
const EVIDENCE_LOCK_CLASS = 7202;

export async function lockEvidenceKey(tx: TransactionClient, key: string): Promise<void> {
  await lockKeys(tx, EVIDENCE_LOCK_CLASS, [key]);
}

// Sorted, so two sweeps never wait on each other in a cycle (a writer only ever holds one key).
async function lockKeys(tx: TransactionClient, lockClass: number, keys: string[]): Promise<void> {
  const sorted = [...keys].sort();
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${lockClass}::int, hashtext(k)) FROM unnest(${sorted}::text[]) AS k`;
}

const BATCH = 200;

/**
 * Removes noted files that nothing references any more (a content-addressed file may have been
 * referenced again since it was noted: then it stays) and clears their notes. With `keys`, only those.
 * A disclosure pack's note waits for a sweep given the pack store. Returns how many notes were settled.
 */
export async function sweepNotedFiles(prisma: PrismaClient, crops: CropStore, keys?: string[], packs?: PackStore): Promise<number> {
  let settled = 0;
  let after = '';
  if (keys?.length === 0) return settled;
  for (;;) {
    const notes = await prisma.storedFileDeletion.findMany({
      where: { key: keys ? { in: keys, gt: after } : { gt: after } },
      orderBy: { key: 'asc' },
      take: BATCH,
      select: { key: true },
    });
    if (notes.length === 0) return settled;
    const page = notes.map((note) => note.key);
    const settledPage = await removeUnreferenced(prisma, { crops, packs }, page);
    await prisma.storedFileDeletion.deleteMany({ where: { key: { in: settledPage } } });
    settled += settledPage.length;
    after = page[page.length - 1]!;
  }
}

/** Returns the keys settled: all of them, except packs when no pack store was given. */
async function removeUnreferenced(prisma: PrismaClient, stores: { crops: CropStore; packs: PackStore | undefined }, keys: string[]): Promise<string[]> {
  const { crops, packs } = stores;
  const probe = keys.filter((key) => key.startsWith('probe/'));
  const evidence = keys.filter((key) => key.startsWith('evidence/'));
  const enrolled = keys.filter((key) => key.startsWith('enrolled/'));
  const pack = keys.filter((key) => key.startsWith('packs/'));
  if (probe.length) {
    // Under the probe writer's own lock (record-probe-face.ts): a probe face being recorded with the
    // same crop right now keeps the file.
    await prisma.$transaction(async (tx) => {
      await lockKeys(tx, CROP_LOCK_CLASS, probe);
      const used = await tx.probeFace.findMany({ where: { cropKey: { in: probe } }, select: { cropKey: true } });
      await removeAllBut(crops, probe, used.map((row) => row.cropKey));
    });
  }
  if (evidence.length) {
    await prisma.$transaction(async (tx) => {
      await lockKeys(tx, EVIDENCE_LOCK_CLASS, evidence);
      const used = await tx.candidate.findMany({ where: { evidenceCropKey: { in: evidence } }, select: { evidenceCropKey: true } });
      await removeAllBut(crops, evidence, used.map((row) => row.evidenceCropKey!));
    });
  }
  if (enrolled.length) {
    // The same image may be enrolled in another list: the file stays while any unpurged face uses it.
    const used = await prisma.enrolledFace.findMany({ where: { cropKey: { in: enrolled }, purgedAt: null }, select: { cropKey: true } });
    await removeAllBut(crops, enrolled, used.map((row) => row.cropKey));
  }
  if (pack.length && packs) {
    // A pack belongs to one approved disclosure (its hash is unique): it goes with the disclosure, when
    // the case's own retention deletes the case.
    const used = await prisma.disclosure.findMany({ where: { packKey: { in: pack } }, select: { packKey: true } });
    await removeAllBut(packs, pack, used.map((row) => row.packKey!));
  }
  return packs ? keys : keys.filter((key) => !key.startsWith('packs/'));
}

async function removeAllBut(store: { remove(key: string): Promise<void> }, keys: string[], used: string[]): Promise<void> {
  const keep = new Set(used);
  for (const key of keys) if (!keep.has(key)) await store.remove(key);
}
