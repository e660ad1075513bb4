-- The supervisor's decisions (issue 8 §1–2): a decided disclosure and a resolved dispute are final,
-- and an approved disclosure names the one pack generated for it. Written by hand: besides the unique
-- index (which prisma/schema.prisma declares), Prisma's schema cannot express these rules.

-- A pack is content-addressed and holds its disclosure's id: no two disclosures can name one file.
CREATE UNIQUE INDEX "disclosures_pack_sha256_key" ON "disclosures"("pack_sha256");

-- A pack is named by its hash, so the key and the hash come together or not at all.
ALTER TABLE "disclosures" ADD CONSTRAINT "disclosures_pack_complete" CHECK (("pack_key" IS NULL) = ("pack_sha256" IS NULL));

-- At most one live request per candidate (pending, or approved and final): two requests sent at once
-- cannot both be recorded. A refused request may be followed by a new one.
CREATE UNIQUE INDEX "disclosures_one_live_per_candidate" ON "disclosures"("candidate_id") WHERE "status" IN ('pending', 'approved');

-- A resolved dispute says who resolved it, when, how and why.
ALTER TABLE "disputes" ADD CONSTRAINT "disputes_resolution_complete" CHECK (
  "status" <> 'resolved' OR ("resolved_by_id" IS NOT NULL AND "resolved_at" IS NOT NULL AND "resolution" IS NOT NULL AND "rationale" IS NOT NULL)
);

-- A decision, once taken, is never edited: an approved or refused disclosure and a resolved dispute
-- refuse every UPDATE (the pack's file is immutable, and so is the row that names it). DELETE stays
-- possible for retention, which removes a closed case's records whole and audits it.
CREATE FUNCTION "supervisor_decision_refuse_change"() RETURNS trigger AS $$
BEGIN
  IF (TG_TABLE_NAME = 'disclosures' AND OLD."status"::text <> 'pending') OR (TG_TABLE_NAME = 'disputes' AND OLD."status"::text = 'resolved') THEN
    RAISE EXCEPTION '% is decided and final (UPDATE refused)', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "disclosures_decision_final"
  BEFORE UPDATE ON "disclosures"
  FOR EACH ROW EXECUTE FUNCTION "supervisor_decision_refuse_change"();

CREATE TRIGGER "disputes_resolution_final"
  BEFORE UPDATE ON "disputes"
  FOR EACH ROW EXECUTE FUNCTION "supervisor_decision_refuse_change"();
