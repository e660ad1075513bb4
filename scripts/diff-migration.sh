#!/usr/bin/env bash
# Writes the SQL that takes the database from one version of prisma/schema.prisma to another, for a
# new folder under prisma/migrations/. Prisma 7's `migrate diff` needs a schema-engine binary that
# cannot be downloaded offline; Prisma 6.19's CLI, given a driver adapter and `engine: 'js'`, diffs
# with its WebAssembly engine instead. Everything comes from the npm registry, into a scratch folder.
#
#   scripts/diff-migration.sh [BASE_REF]    # default base: HEAD's schema; prints SQL on stdout
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
base_ref="${1:-HEAD}"
scratch="${TMPDIR:-/tmp}/rfr-prisma-diff"
mkdir -p "$scratch"
if [ ! -x "$scratch/node_modules/.bin/prisma" ]; then
  (cd "$scratch" && npm init -y >/dev/null && npm install --silent prisma@6.19 @prisma/client@6.19 @prisma/adapter-pg@6.19 >&2)
fi
cat > "$scratch/prisma.config.ts" <<'TS'
import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg';
export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: 'after.prisma',
  // The adapter is opened but not used for a datamodel-to-datamodel diff; any reachable server will do.
  adapter: async () => new PrismaPg({ connectionString: process.env.DIFF_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres' }),
} as never);
TS
to_v6() { sed -e 's#provider     = "prisma-client"#provider = "prisma-client-js"#' -e '/output       =/d' -e '/moduleFormat/d' \
  -e 's#  provider = "postgresql"#  provider = "postgresql"\n  url = "postgresql://unused@127.0.0.1/unused"#'; }
git -C "$root" show "$base_ref:prisma/schema.prisma" | to_v6 > "$scratch/before.prisma"
to_v6 < "$root/prisma/schema.prisma" > "$scratch/after.prisma"
cd "$scratch"
PRISMA_QUERY_ENGINE_LIBRARY=/bin/true PRISMA_SCHEMA_ENGINE_BINARY=/bin/true \
  npx prisma migrate diff --from-schema-datamodel before.prisma --to-schema-datamodel after.prisma --script
