import { defineConfig } from 'prisma/config';

// The CLI is used only for `prisma generate` (offline). Migrations are SQL files applied by
// lib/server/db/migrate.ts, so no URL is needed here.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
