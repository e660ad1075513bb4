-- CreateEnum
CREATE TYPE "SearchReviewState" AS ENUM ('awaiting_first_review', 'no_match_in_list', 'no_possible_match', 'awaiting_second_review', 'confirmed', 'disputed', 'resolved');

-- CreateEnum
CREATE TYPE "DisputeStatus" AS ENUM ('open', 'resolved');

-- DropIndex
DROP INDEX "cases_reference_key";

-- DropIndex
DROP INDEX "adjudications_candidate_id_stage_key";

-- CreateTable
CREATE TABLE "teams" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "teams_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "teams_name_key" ON "teams"("name");

-- AlterTable
ALTER TABLE "users" ADD COLUMN     "team_id" UUID;

-- An installation that already has casework gets one team holding every investigator and
-- supervisor, so each existing case keeps exactly the people who could see it before (or more of
-- the same unit) and no case is left without an owner.
INSERT INTO "teams" ("id", "name")
  SELECT gen_random_uuid(), 'Team 1' WHERE EXISTS (SELECT 1 FROM "users" WHERE "role" <> 'admin');
UPDATE "users" SET "team_id" = (SELECT "id" FROM "teams" WHERE "name" = 'Team 1') WHERE "role" <> 'admin';

-- AlterTable
ALTER TABLE "cases" ADD COLUMN     "team_id" UUID;
UPDATE "cases" SET "team_id" = (SELECT "team_id" FROM "users" WHERE "users"."id" = "cases"."opened_by_id");
ALTER TABLE "cases" ALTER COLUMN "team_id" SET NOT NULL;

-- AlterTable
ALTER TABLE "probe_faces" ADD COLUMN     "embedding_agreement" DOUBLE PRECISION,
ADD COLUMN     "idempotency_key" UUID,
ADD COLUMN     "server_quality" JSONB,
ADD COLUMN     "server_quality_verdict" "QualityVerdict";

-- AlterTable
ALTER TABLE "searches" ADD COLUMN     "completed_at" TIMESTAMPTZ(3),
ADD COLUMN     "review_state" "SearchReviewState" NOT NULL DEFAULT 'awaiting_first_review';

-- AlterTable
ALTER TABLE "adjudications" ADD COLUMN     "checklist" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "correction_reason" TEXT,
ADD COLUMN     "review_id" UUID NOT NULL,
ADD COLUMN     "supersedes_id" UUID;

-- AlterTable
ALTER TABLE "disclosures" RENAME COLUMN "request_rationale" TO "statement";

-- CreateTable
CREATE TABLE "reviews" (
    "id" UUID NOT NULL,
    "search_id" UUID NOT NULL,
    "stage" "ReviewStage" NOT NULL,
    "reviewer_id" UUID NOT NULL,
    "candidate_order" UUID[],
    "is_no_match_in_list" BOOLEAN NOT NULL DEFAULT false,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "committed_at" TIMESTAMPTZ(3),

    CONSTRAINT "reviews_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "disputes" (
    "id" UUID NOT NULL,
    "search_id" UUID NOT NULL,
    "status" "DisputeStatus" NOT NULL DEFAULT 'open',
    "raised_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolved_by_id" UUID,
    "resolution" JSONB,
    "rationale" TEXT,
    "resolved_at" TIMESTAMPTZ(3),

    CONSTRAINT "disputes_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "reviews_search_id_stage_key" ON "reviews"("search_id", "stage");

-- CreateIndex
CREATE UNIQUE INDEX "disputes_search_id_key" ON "disputes"("search_id");

-- CreateIndex
CREATE INDEX "disputes_status_idx" ON "disputes"("status");

-- CreateIndex
CREATE UNIQUE INDEX "cases_team_id_reference_key" ON "cases"("team_id", "reference");

-- CreateIndex
CREATE UNIQUE INDEX "probe_faces_idempotency_key_key" ON "probe_faces"("idempotency_key");

-- CreateIndex
CREATE INDEX "searches_review_state_idx" ON "searches"("review_state");

-- CreateIndex
CREATE UNIQUE INDEX "adjudications_supersedes_id_key" ON "adjudications"("supersedes_id");

-- CreateIndex
CREATE INDEX "adjudications_candidate_id_stage_idx" ON "adjudications"("candidate_id", "stage");

-- AddForeignKey
ALTER TABLE "users" ADD CONSTRAINT "users_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "cases" ADD CONSTRAINT "cases_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_search_id_fkey" FOREIGN KEY ("search_id") REFERENCES "searches"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_reviewer_id_fkey" FOREIGN KEY ("reviewer_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "adjudications" ADD CONSTRAINT "adjudications_review_id_fkey" FOREIGN KEY ("review_id") REFERENCES "reviews"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "adjudications" ADD CONSTRAINT "adjudications_supersedes_id_fkey" FOREIGN KEY ("supersedes_id") REFERENCES "adjudications"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "disputes" ADD CONSTRAINT "disputes_search_id_fkey" FOREIGN KEY ("search_id") REFERENCES "searches"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "disputes" ADD CONSTRAINT "disputes_resolved_by_id_fkey" FOREIGN KEY ("resolved_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;


-- One pending disclosure request per candidate (Prisma's schema cannot say "where pending").
CREATE UNIQUE INDEX "disclosures_one_pending_per_candidate" ON "disclosures"("candidate_id") WHERE "status" = 'pending';

-- A committed decision is never edited: a correction is a new row. Deleting stays possible for
-- retention, which removes a case's whole record at once.
CREATE FUNCTION "adjudications_refuse_update"() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'adjudications are append-only (UPDATE refused)' USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "adjudications_append_only"
  BEFORE UPDATE ON "adjudications"
  FOR EACH ROW EXECUTE FUNCTION "adjudications_refuse_update"();
