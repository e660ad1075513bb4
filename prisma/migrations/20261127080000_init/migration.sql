-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('investigator', 'supervisor', 'admin');

-- CreateEnum
CREATE TYPE "CaseStatus" AS ENUM ('open', 'closed');

-- CreateEnum
CREATE TYPE "QualityVerdict" AS ENUM ('good', 'usable', 'poor');

-- CreateEnum
CREATE TYPE "SearchMode" AS ENUM ('rank', 'threshold');

-- CreateEnum
CREATE TYPE "SearchStatus" AS ENUM ('completed', 'failed');

-- CreateEnum
CREATE TYPE "ReviewStage" AS ENUM ('first', 'second');

-- CreateEnum
CREATE TYPE "AdjudicationDecision" AS ENUM ('possible_match', 'no_match', 'inconclusive');

-- CreateEnum
CREATE TYPE "DisclosureStatus" AS ENUM ('pending', 'approved', 'refused');

-- CreateEnum
CREATE TYPE "IndexState" AS ENUM ('pending', 'indexed', 'deleting', 'deleted');

-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "display_name" TEXT NOT NULL,
    "password_hash" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "disabled" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "cases" (
    "id" UUID NOT NULL,
    "reference" TEXT NOT NULL,
    "offence" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "legal_basis" TEXT NOT NULL,
    "status" "CaseStatus" NOT NULL DEFAULT 'open',
    "opened_by_id" UUID NOT NULL,
    "opened_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closed_at" TIMESTAMPTZ(3),

    CONSTRAINT "cases_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "probes" (
    "id" UUID NOT NULL,
    "case_id" UUID NOT NULL,
    "image_sha256" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "camera_location" TEXT,
    "captured_at" TIMESTAMPTZ(3),
    "width" INTEGER NOT NULL,
    "height" INTEGER NOT NULL,
    "uploaded_by_id" UUID NOT NULL,
    "uploaded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "probes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "probe_faces" (
    "id" UUID NOT NULL,
    "probe_id" UUID NOT NULL,
    "box" JSONB NOT NULL,
    "landmarks" JSONB NOT NULL,
    "quality" JSONB NOT NULL,
    "quality_verdict" "QualityVerdict" NOT NULL,
    "is_manual_box" BOOLEAN NOT NULL DEFAULT false,
    "detector_confidence" DOUBLE PRECISION,
    "crop_key" TEXT NOT NULL,
    "crop_sha256" TEXT NOT NULL,
    "model_id" TEXT NOT NULL,
    "embedding" BYTEA NOT NULL,
    "quality_override_reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "probe_faces_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "searches" (
    "id" UUID NOT NULL,
    "case_id" UUID NOT NULL,
    "probe_face_id" UUID NOT NULL,
    "actor_id" UUID NOT NULL,
    "watchlist_ids" UUID[],
    "mode" "SearchMode" NOT NULL,
    "list_size" INTEGER NOT NULL,
    "threshold" DOUBLE PRECISION,
    "model_id" TEXT NOT NULL,
    "index_engine" TEXT NOT NULL,
    "index_version" TEXT NOT NULL,
    "gallery_size" INTEGER NOT NULL,
    "status" "SearchStatus" NOT NULL DEFAULT 'completed',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "searches_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "candidates" (
    "id" UUID NOT NULL,
    "search_id" UUID NOT NULL,
    "rank" INTEGER NOT NULL,
    "enrolled_face_id" UUID NOT NULL,
    "subject_id" UUID NOT NULL,
    "raw_score" DOUBLE PRECISION NOT NULL,
    "false_match_rate" DOUBLE PRECISION NOT NULL,
    "expected_fpir" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "candidates_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "adjudications" (
    "id" UUID NOT NULL,
    "candidate_id" UUID NOT NULL,
    "reviewer_id" UUID NOT NULL,
    "stage" "ReviewStage" NOT NULL,
    "decision" "AdjudicationDecision" NOT NULL,
    "rationale" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "adjudications_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "disclosures" (
    "id" UUID NOT NULL,
    "candidate_id" UUID NOT NULL,
    "requested_by_id" UUID NOT NULL,
    "request_rationale" TEXT NOT NULL,
    "requested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "status" "DisclosureStatus" NOT NULL DEFAULT 'pending',
    "decided_by_id" UUID,
    "decision_rationale" TEXT,
    "decided_at" TIMESTAMPTZ(3),
    "pack_key" TEXT,
    "pack_sha256" TEXT,

    CONSTRAINT "disclosures_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "watchlists" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "authority" TEXT NOT NULL,
    "owner_id" UUID NOT NULL,
    "retention_days" INTEGER NOT NULL,
    "review_date" DATE NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "watchlists_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "subjects" (
    "id" UUID NOT NULL,
    "watchlist_id" UUID NOT NULL,
    "reference" TEXT NOT NULL,
    "display_name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "subjects_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "enrolled_faces" (
    "id" UUID NOT NULL,
    "subject_id" UUID NOT NULL,
    "watchlist_id" UUID NOT NULL,
    "image_sha256" TEXT NOT NULL,
    "crop_key" TEXT NOT NULL,
    "quality" JSONB NOT NULL,
    "model_id" TEXT NOT NULL,
    "vector_point_id" UUID NOT NULL,
    "index_state" "IndexState" NOT NULL DEFAULT 'pending',
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "enrolled_faces_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_events" (
    "sequence" BIGINT NOT NULL,
    "prev_hash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "actor_id" TEXT,
    "actor_role" TEXT,
    "action" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "target_type" TEXT,
    "target_id" TEXT,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("sequence")
);

-- CreateTable
CREATE TABLE "settings" (
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "settings_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- CreateIndex
CREATE UNIQUE INDEX "cases_reference_key" ON "cases"("reference");

-- CreateIndex
CREATE INDEX "cases_opened_by_id_idx" ON "cases"("opened_by_id");

-- CreateIndex
CREATE UNIQUE INDEX "probes_case_id_image_sha256_key" ON "probes"("case_id", "image_sha256");

-- CreateIndex
CREATE INDEX "probe_faces_probe_id_idx" ON "probe_faces"("probe_id");

-- CreateIndex
CREATE INDEX "searches_case_id_idx" ON "searches"("case_id");

-- CreateIndex
CREATE UNIQUE INDEX "candidates_search_id_rank_key" ON "candidates"("search_id", "rank");

-- CreateIndex
CREATE UNIQUE INDEX "adjudications_candidate_id_stage_key" ON "adjudications"("candidate_id", "stage");

-- CreateIndex
CREATE INDEX "disclosures_status_idx" ON "disclosures"("status");

-- CreateIndex
CREATE UNIQUE INDEX "watchlists_name_key" ON "watchlists"("name");

-- CreateIndex
CREATE UNIQUE INDEX "subjects_watchlist_id_reference_key" ON "subjects"("watchlist_id", "reference");

-- CreateIndex
CREATE UNIQUE INDEX "enrolled_faces_vector_point_id_key" ON "enrolled_faces"("vector_point_id");

-- CreateIndex
CREATE INDEX "enrolled_faces_index_state_idx" ON "enrolled_faces"("index_state");

-- CreateIndex
CREATE UNIQUE INDEX "enrolled_faces_watchlist_id_image_sha256_model_id_key" ON "enrolled_faces"("watchlist_id", "image_sha256", "model_id");

-- CreateIndex
CREATE UNIQUE INDEX "audit_events_hash_key" ON "audit_events"("hash");

-- CreateIndex
CREATE INDEX "audit_events_action_target_id_created_at_idx" ON "audit_events"("action", "target_id", "created_at");

-- CreateIndex
CREATE INDEX "audit_events_target_type_target_id_idx" ON "audit_events"("target_type", "target_id");

-- AddForeignKey
ALTER TABLE "cases" ADD CONSTRAINT "cases_opened_by_id_fkey" FOREIGN KEY ("opened_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "probes" ADD CONSTRAINT "probes_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "cases"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "probes" ADD CONSTRAINT "probes_uploaded_by_id_fkey" FOREIGN KEY ("uploaded_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "probe_faces" ADD CONSTRAINT "probe_faces_probe_id_fkey" FOREIGN KEY ("probe_id") REFERENCES "probes"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "searches" ADD CONSTRAINT "searches_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "cases"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "searches" ADD CONSTRAINT "searches_probe_face_id_fkey" FOREIGN KEY ("probe_face_id") REFERENCES "probe_faces"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "searches" ADD CONSTRAINT "searches_actor_id_fkey" FOREIGN KEY ("actor_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "candidates" ADD CONSTRAINT "candidates_search_id_fkey" FOREIGN KEY ("search_id") REFERENCES "searches"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "candidates" ADD CONSTRAINT "candidates_enrolled_face_id_fkey" FOREIGN KEY ("enrolled_face_id") REFERENCES "enrolled_faces"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "candidates" ADD CONSTRAINT "candidates_subject_id_fkey" FOREIGN KEY ("subject_id") REFERENCES "subjects"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "adjudications" ADD CONSTRAINT "adjudications_candidate_id_fkey" FOREIGN KEY ("candidate_id") REFERENCES "candidates"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "adjudications" ADD CONSTRAINT "adjudications_reviewer_id_fkey" FOREIGN KEY ("reviewer_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "disclosures" ADD CONSTRAINT "disclosures_candidate_id_fkey" FOREIGN KEY ("candidate_id") REFERENCES "candidates"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "disclosures" ADD CONSTRAINT "disclosures_requested_by_id_fkey" FOREIGN KEY ("requested_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "disclosures" ADD CONSTRAINT "disclosures_decided_by_id_fkey" FOREIGN KEY ("decided_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "watchlists" ADD CONSTRAINT "watchlists_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "subjects" ADD CONSTRAINT "subjects_watchlist_id_fkey" FOREIGN KEY ("watchlist_id") REFERENCES "watchlists"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "enrolled_faces" ADD CONSTRAINT "enrolled_faces_subject_id_fkey" FOREIGN KEY ("subject_id") REFERENCES "subjects"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "enrolled_faces" ADD CONSTRAINT "enrolled_faces_watchlist_id_fkey" FOREIGN KEY ("watchlist_id") REFERENCES "watchlists"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

