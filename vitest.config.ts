import { defineConfig } from 'vitest/config';

// A stray it.only would shrink the suite and still end "N passed, 0 failed": refused in every project.
const allowOnly = false;

export default defineConfig({
  test: {
    allowOnly,
    projects: [
      {
        test: {
          name: 'unit',
          allowOnly,
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          allowOnly,
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          // Each file starts its own Kamailio and WebRTC peers; two cores, so one file at a time.
          pool: 'forks',
          fileParallelism: false,
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
    ],
  },
});
