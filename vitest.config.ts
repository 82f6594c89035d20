import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Most test files wait on child processes (the CLI, pdfsig, the AWS CLI, chromium) and on the
    // sandbox's sockets rather than on their own CPU. Vitest's default on a 2-core machine is one
    // worker (cores - 1), which left a core idle through every wait; two keep both busy.
    maxWorkers: 2,
    // generous, not a speed target: two files at once on two cores make each slower
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
