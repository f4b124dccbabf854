import { defineConfig } from 'vitest/config';

// `npm run test:chaos`: the chaos scenarios, each on local clouds of its own; minutes long, not part of `npm test`.
export default defineConfig({
  test: {
    include: ['test/chaos/**/*.test.ts'],
    testTimeout: 900_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
