-- Retention asks, for every file it is about to remove, whether any row still refers to it, and
-- every row it deletes makes PostgreSQL check the foreign keys pointing at it. Without these indexes
-- each of those questions scans a whole table, and a large erasure or sweep becomes quadratic.

-- CreateIndex
CREATE INDEX "probe_faces_crop_key_idx" ON "probe_faces"("crop_key");

-- CreateIndex
CREATE INDEX "searches_probe_face_id_idx" ON "searches"("probe_face_id");

-- CreateIndex
CREATE INDEX "candidates_evidence_crop_key_idx" ON "candidates"("evidence_crop_key");

-- CreateIndex
CREATE INDEX "candidates_enrolled_face_id_idx" ON "candidates"("enrolled_face_id");

-- CreateIndex
CREATE INDEX "candidates_subject_id_idx" ON "candidates"("subject_id");

-- CreateIndex
CREATE INDEX "disclosures_candidate_id_idx" ON "disclosures"("candidate_id");

-- CreateIndex
CREATE INDEX "enrolled_faces_crop_key_idx" ON "enrolled_faces"("crop_key");

-- CreateIndex
CREATE INDEX "enrolled_faces_subject_id_idx" ON "enrolled_faces"("subject_id");
