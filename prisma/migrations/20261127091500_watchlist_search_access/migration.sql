-- AlterTable
ALTER TABLE "watchlists" ADD COLUMN     "searchable_by" UUID[] DEFAULT ARRAY[]::UUID[];

