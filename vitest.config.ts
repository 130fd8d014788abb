import { defineConfig } from "vitest/config";

// Which SDK the e2e suite drives: "official" (reference run) or unset/"perdure".
const e2eSdk = process.env.PERDURE_E2E_SDK ?? "";

export default defineConfig({
  test: {
    // e2e files mostly wait on their servers: 4 at a time halves the wall time even on 2 cores
    // (vitest's default on 2 cores is a single worker).
    maxWorkers: 4,
    minWorkers: 1,
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          environment: "node",
          testTimeout: 10_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.e2e.test.ts"],
          environment: "node",
          // Child processes (restate-server) are safest in forked workers: a crashed or timed-out
          // worker is a whole process whose exit handler and watchdog reap its server.
          pool: "forks",
          testTimeout: 60_000,
          hookTimeout: 90_000,
          teardownTimeout: 30_000,
          env: {
            PERDURE_E2E_SDK: e2eSdk,
            // The official SDK logs every retry and suspension; keep the reference run readable.
            RESTATE_LOGGING: process.env.RESTATE_LOGGING ?? "ERROR",
          },
          // Files run in parallel; tests inside a file share one server per protocol version.
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          // 3-node clusters (three restate-server processes each): after the e2e files, one file at a time, so that
          // neither they nor the single-server chaos test run short of CPU on two cores.
          name: "cluster",
          include: ["test/cluster/**/*.test.ts"],
          environment: "node",
          pool: "forks",
          poolOptions: { forks: { singleFork: true } },
          testTimeout: 150_000,
          hookTimeout: 120_000,
          teardownTimeout: 30_000,
          env: { RESTATE_LOGGING: process.env.RESTATE_LOGGING ?? "ERROR" },
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
