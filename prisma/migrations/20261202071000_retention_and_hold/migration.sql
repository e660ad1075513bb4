-- Retention that deletes, and legal hold (issue 8 §4). The column and table changes are what
-- scripts/diff-migration.sh prints for the schema; the constraint, the back-fill and the audit
-- trigger below it are written by hand (Prisma's schema cannot express them).

-- AlterTable
ALTER TABLE "cases" ADD COLUMN     "legal_hold_at" TIMESTAMPTZ(3),
ADD COLUMN     "legal_hold_by_id" UUID,
ADD COLUMN     "legal_hold_reason" TEXT;

-- AlterTable
ALTER TABLE "probe_faces" ADD COLUMN     "purged_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "candidates" ADD COLUMN     "evidence_crop_key" TEXT;

-- AlterTable
ALTER TABLE "enrolled_faces" ADD COLUMN     "purged_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "stored_file_deletions" (
    "key" TEXT NOT NULL,
    "requested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "stored_file_deletions_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "cases_closed_at_idx" ON "cases"("closed_at");

-- CreateIndex
CREATE INDEX "probe_faces_created_at_idx" ON "probe_faces"("created_at");

-- AddForeignKey
ALTER TABLE "cases" ADD CONSTRAINT "cases_legal_hold_by_id_fkey" FOREIGN KEY ("legal_hold_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;


-- A hold always says why and since when; a released hold clears both.
ALTER TABLE "cases" ADD CONSTRAINT "cases_legal_hold_complete" CHECK (("legal_hold_at" IS NULL) = ("legal_hold_reason" IS NULL));

-- Faces erased before this migration already lost their embedding (and their crop): they are purged.
UPDATE "enrolled_faces" SET "purged_at" = CURRENT_TIMESTAMP WHERE "index_state" = 'deleted' AND length("embedding") = 0;

-- The audit log stays append-only, with one exception: retention may delete the oldest events (a
-- prefix of the chain, up to the sequence it names in the transaction-local setting
-- rfr.audit_prune_through) and, in the same transaction, appends an `audit.prune` event recording
-- the sequence and hash it pruned through, from which the chain is verified onwards. Whatever the
-- application's policy says, an event less than 365 days old is never deleted. UPDATE and TRUNCATE
-- stay refused, and a row deleted from the middle still breaks the chain's verification.
CREATE FUNCTION "audit_events_guard_change"() RETURNS trigger AS $$
DECLARE
  prune_through TEXT := current_setting('rfr.audit_prune_through', true);
BEGIN
  IF TG_OP = 'DELETE' AND prune_through IS NOT NULL AND prune_through <> ''
     AND OLD."sequence" <= prune_through::BIGINT
     AND OLD."created_at" < CURRENT_TIMESTAMP - INTERVAL '365 days' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_events is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER "audit_events_append_only" ON "audit_events";

CREATE TRIGGER "audit_events_append_only"
  BEFORE UPDATE OR DELETE ON "audit_events"
  FOR EACH ROW EXECUTE FUNCTION "audit_events_guard_change"();
