-- Watch-list versions: every change of a list's contents or terms increases its version, and each
-- search records the version of every list it searched. Lists that exist already start at 1.
ALTER TABLE "watchlists" ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 1;

-- AlterTable
ALTER TABLE "searches" ADD COLUMN     "watchlist_versions" JSONB NOT NULL DEFAULT '{}';

-- How a set-aside image was resolved, by whom: a face enrolled from it, or dismissed with a reason.
ALTER TABLE "enrolment_exceptions" ADD COLUMN     "enrolled_face_id" UUID,
ADD COLUMN     "resolution" TEXT,
ADD COLUMN     "resolution_reason" TEXT,
ADD COLUMN     "resolved_by_id" UUID;
