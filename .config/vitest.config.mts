import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['test/**/*.test.ts'],
    globals: false,
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The reliability suite's summary table (test/e2e/reliability/) after the default report.
    reporters: [
      'default',
      fileURLToPath(new URL('../test/helpers/reliability-reporter.ts', import.meta.url)),
    ],
  },
});
