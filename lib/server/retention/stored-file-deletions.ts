import 'server-only';
import type { TransactionClient } from '@/lib/server/db/database';
import type { PrismaClient } from '@/lib/server/generated/prisma/client';
import { removeUnreferencedProbeCrop } from '@/lib/server/probes/record-probe-face';
import type { CropStore } from '@/lib/server/storage/crop-store';

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
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${EVIDENCE_LOCK_CLASS}::int, hashtext(${key}))`;
}

const BATCH = 200;

/**
 * Removes noted files that nothing references any more (a content-addressed file may have been
 * referenced again since it was noted: then it stays) and clears their notes. With `keys`, only those.
 */
export async function sweepNotedFiles(prisma: PrismaClient, crops: CropStore, keys?: string[]): Promise<number> {
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
    for (const { key } of notes) {
      await removeIfUnreferenced(prisma, crops, key);
      await prisma.storedFileDeletion.deleteMany({ where: { key } });
      settled += 1;
    }
    after = notes[notes.length - 1]!.key;
  }
}

async function removeIfUnreferenced(prisma: PrismaClient, crops: CropStore, key: string): Promise<void> {
  if (key.startsWith('probe/')) {
    // The probe writer's own lock and check (record-probe-face.ts): a probe face being recorded with the
    // same crop right now keeps the file.
    await removeUnreferencedProbeCrop(prisma, crops, key);
    return;
  }
  if (key.startsWith('evidence/')) {
    await prisma.$transaction(async (tx) => {
      await lockEvidenceKey(tx, key);
      if ((await tx.candidate.count({ where: { evidenceCropKey: key } })) === 0) await crops.remove(key);
    });
    return;
  }
  if (key.startsWith('enrolled/')) {
    // The same image may be enrolled in another list: the file stays while any unpurged face uses it.
    if ((await prisma.enrolledFace.count({ where: { cropKey: key, purgedAt: null } })) === 0) await crops.remove(key);
  }
}
