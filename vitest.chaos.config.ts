import { defineConfig } from 'vitest/config';
import { env } from './vitest.config.ts';

// `npm run test:chaos`: the chaos scenarios, minutes long, not part of `npm test`.
// - chaos: for each seed, one local cloud of its own for the scenarios, and one more each for the
//   tour press, the kill and the budgets.
// - chaos-small: 60 outlets and a fixed seed on one shared local cloud (also part of `npm test`).
export default defineConfig({
  test: {
    env,
    testTimeout: 900_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    projects: [
      { extends: true, test: { name: 'chaos', include: ['test/chaos/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'chaos-small',
          include: ['test/integration/chaos/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
    ],
  },
});
