import { defineConfig } from '@playwright/test';
import { chromiumArgs, chromiumPath } from './scripts/support/headless-chromium';

const port = Number(process.env.E2E_PORT ?? 3100);
export const E2E_DEMO_PASSWORD = 'e2e-demo-password-not-for-production';

// The app under test runs exactly as a user starts it (`npm start`: build if needed, migrate, seed),
// on a fresh embedded data folder, with a known demo password instead of printed random ones.
export default defineConfig({
  testDir: 'tests/e2e',
  outputDir: 'tests/artifacts/e2e-results',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: chromiumPath,
      args: chromiumArgs,
    },
  },
  webServer: {
    command: 'rm -rf tests/artifacts/e2e-data && node scripts/start.mjs',
    url: `http://127.0.0.1:${port}/api/health`,
    timeout: 600_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      PORT: String(port),
      DATA_DIR: 'tests/artifacts/e2e-data',
      RFR_DEMO_PASSWORD: E2E_DEMO_PASSWORD,
      NEXT_TELEMETRY_DISABLED: '1',
    },
  },
});
