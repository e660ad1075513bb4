import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

// `server-only` throws outside the react-server condition; tests exercise server modules directly.
const alias = {
  '@/': root,
  'server-only': `${root}node_modules/server-only/empty.js`,
};

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          environment: 'node',
          // The import-boundary test loads every lib/actions module; next-auth's ESM imports
          // 'next/server' without an extension, which only Vite's resolver (inlining) accepts.
          server: { deps: { inline: ['next-auth'] } },
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
