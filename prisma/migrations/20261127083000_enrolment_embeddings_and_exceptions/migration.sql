-- AlterTable
ALTER TABLE "enrolled_faces" ADD COLUMN     "embedding" BYTEA NOT NULL;

-- CreateTable
CREATE TABLE "enrolment_exceptions" (
    "id" UUID NOT NULL,
    "watchlist_id" UUID NOT NULL,
    "subject_ref" TEXT NOT NULL,
    "source_label" TEXT NOT NULL,
    "image_sha256" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "details" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolved_at" TIMESTAMPTZ(3),

    CONSTRAINT "enrolment_exceptions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "enrolment_exceptions_watchlist_id_image_sha256_key" ON "enrolment_exceptions"("watchlist_id", "image_sha256");

-- AddForeignKey
ALTER TABLE "enrolment_exceptions" ADD CONSTRAINT "enrolment_exceptions_watchlist_id_fkey" FOREIGN KEY ("watchlist_id") REFERENCES "watchlists"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

