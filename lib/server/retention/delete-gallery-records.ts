import 'server-only';
import type { Prisma, PrismaClient } from '@/lib/server/generated/prisma/client';
import { appendSystemEvent } from './delete-casework';

// After a face is purged (no embedding, no crop, out of the index) its row stays only while a
// candidate in some case still names it. Once the last such candidate is deleted by the case's own
// retention, the row goes, and so does a subject left with no face and no candidate: the name and
// reference of someone no longer on any list, and in no case, are not kept.

const PURGED_UNREFERENCED: Prisma.EnrolledFaceWhereInput = { purgedAt: { not: null }, candidates: { none: {} } };
const EMPTY_SUBJECT: Prisma.SubjectWhereInput = { enrolledFaces: { none: {} }, candidates: { none: {} } };

export type GalleryRecordReport = { enrolledFaces: number; subjects: number; setAside: number };

export async function deleteReleasedGalleryRecords(
  prisma: PrismaClient,
  options: { batchSize: number; onBatch: (step: string, ids: string[]) => Promise<void> },
): Promise<GalleryRecordReport> {
  const report: GalleryRecordReport = { enrolledFaces: 0, subjects: 0, setAside: 0 };
  for (;;) {
    const batch = await prisma.enrolledFace.findMany({ where: PURGED_UNREFERENCED, select: { id: true }, orderBy: { id: 'asc' }, take: options.batchSize });
    if (batch.length === 0) break;
    const ids = batch.map((row) => row.id);
    // Re-checked inside the transaction; a candidate created meanwhile would make the foreign key
    // refuse the delete (the run fails and is retried), never leave a candidate without its face.
    const deleted = await prisma.$transaction(async (tx) => {
      const due = (await tx.enrolledFace.findMany({ where: { ...PURGED_UNREFERENCED, id: { in: ids } }, select: { id: true } })).map((row) => row.id);
      if (due.length === 0) return due;
      await tx.enrolledFace.deleteMany({ where: { id: { in: due } } });
      await appendSystemEvent(tx, 'retention.delete_enrolled_faces', 'enrolled_face', { enrolledFaceIds: due });
      return due;
    });
    if (deleted.length === 0) break;
    report.enrolledFaces += deleted.length;
    await options.onBatch('enrolled_faces', deleted);
  }
  for (;;) {
    const batch = await prisma.subject.findMany({ where: EMPTY_SUBJECT, select: { id: true }, orderBy: { id: 'asc' }, take: options.batchSize });
    if (batch.length === 0) break;
    const ids = batch.map((row) => row.id);
    const deleted = await prisma.$transaction(async (tx) => {
      const due = (await tx.subject.findMany({ where: { ...EMPTY_SUBJECT, id: { in: ids } }, select: { id: true } })).map((row) => row.id);
      if (due.length === 0) return due;
      await tx.subject.deleteMany({ where: { id: { in: due } } });
      await appendSystemEvent(tx, 'retention.delete_subjects', 'subject', { subjectIds: due });
      return due;
    });
    if (deleted.length === 0) break;
    report.subjects += deleted.length;
    await options.onBatch('subjects', deleted);
  }
  // The set-aside list of a deleted watch-list names people (subject references, file names) of a
  // list that no longer exists.
  for (;;) {
    const batch = await prisma.enrolmentException.findMany({
      where: { watchlist: { deletedAt: { not: null } } },
      select: { id: true },
      orderBy: { id: 'asc' },
      take: options.batchSize,
    });
    if (batch.length === 0) break;
    const ids = batch.map((row) => row.id);
    const deleted = await prisma.$transaction(async (tx) => {
      const due = (await tx.enrolmentException.findMany({ where: { id: { in: ids }, watchlist: { deletedAt: { not: null } } }, select: { id: true } })).map((row) => row.id);
      if (due.length === 0) return due;
      await tx.enrolmentException.deleteMany({ where: { id: { in: due } } });
      await appendSystemEvent(tx, 'retention.delete_set_aside', 'enrolment_exception', { enrolmentExceptionIds: due });
      return due;
    });
    if (deleted.length === 0) break;
    report.setAside += deleted.length;
    await options.onBatch('set_aside', deleted);
  }
  return report;
}
