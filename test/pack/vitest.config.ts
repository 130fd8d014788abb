import { defineConfig } from "vitest/config";

// The packed-package test (`npm run test:pack`): its own run, because it packs the repository and installs
// throwaway projects (a few minutes), apart from `npm test`.
export default defineConfig({
  test: {
    include: ["test/pack/**/*.test.ts"],
    root: new URL("../..", import.meta.url).pathname,
    environment: "node",
    pool: "forks",
    testTimeout: 240_000,
    hookTimeout: 420_000,
    maxWorkers: 1,
    // The projects' tests run side by side (mostly waiting on processes), three at a time on the 2-core machine.
    maxConcurrency: 3,
  },
});
