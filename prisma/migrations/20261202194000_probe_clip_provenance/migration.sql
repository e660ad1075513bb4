-- AlterTable
ALTER TABLE "probes" ADD COLUMN     "clip_file_name" TEXT,
ADD COLUMN     "clip_sha256" TEXT,
ADD COLUMN     "frame_time_ms" INTEGER;
