// ESLint with the Next.js rules (React, React hooks including the React Compiler's purity and refs
// rules, accessibility, Core Web Vitals) and typescript-eslint's recommended set; run by `npm run lint`
// and by `npm test`. (`next lint` is gone in Next 16.)
import { defineConfig, globalIgnores } from 'eslint/config';
import nextCoreWebVitals from 'eslint-config-next/core-web-vitals';
import nextTypescript from 'eslint-config-next/typescript';

export default defineConfig([
  ...nextCoreWebVitals,
  ...nextTypescript,
  {
    // A disable comment that no longer silences anything is an error, so none outlives its reason.
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `const { secret: _secret, ...rest } = row` is how a field is left out of a copy; the named
      // sibling of a rest element is meant to go unused. Every other unused name is still reported.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
    },
  },
  {
    files: ['tests/**'],
    rules: {
      // vi.hoisted runs before the file's imports are evaluated, so a test that must set DATA_DIR
      // before the server modules load can only reach node:fs and friends with a synchronous require.
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  globalIgnores([
    '.next/**',
    'node_modules/**',
    'lib/server/generated/**', // the Prisma client, generated
    'public/**', // copied onnxruntime-web files and model manifests
    'tests/artifacts/**',
    'test-results/**',
    'playwright-report/**',
    'data/**',
    'next-env.d.ts',
  ]),
]);
