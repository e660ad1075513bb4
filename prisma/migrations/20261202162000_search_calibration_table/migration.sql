-- Quality-aware score calibration (issue 11 §5). Written by hand.

-- Which calibration table read this search's scores: the one measured for the probe face's quality band.
-- Searches recorded before had only the model's general table, so null reads as that table.
ALTER TABLE "searches" ADD COLUMN "calibration_table_id" TEXT;
