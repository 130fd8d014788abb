// Faults lose nothing (CI version of `npm run soak`): ChaosFlow workflows (several ctx.run steps, each bumping an
// external counter keyed by (workflow, step), then a durable call adding to a Tally object) are submitted at a
// steady rate while the endpoint process (Bun) and restate-server are SIGKILLed at random points and restarted —
// the server with the same base dir and ports, so it recovers its data. Afterwards: every workflow completed once
// with the right output; each step's journaled result is from its last execution (never re-executed after being
// stored; extra executions, killed before their result was stored, are counted); the Tally objects hold the sum of
// the applied amounts; nothing is left running. Request-response and bidirectional mode run side by side.
import { describe, expect, it } from "vitest";
import { runChaos, type ChaosReport } from "../chaos/run-chaos.js";

const CHAOS_MS = 14_000;

function expectNothingLost(report: ChaosReport) {
  // Printed so a CI log shows the figures of the run.
  console.log(`[chaos ${report.mode}] ${JSON.stringify(report)}`);
  expect(report.endpointKills + report.serverKills).toBeGreaterThanOrEqual(3);
  expect(report.serverKills).toBeGreaterThanOrEqual(1);
  expect(report.endpointKills).toBeGreaterThanOrEqual(1);
  expect(report.invocations).toBeGreaterThan(20);
  expect(report.wrongOutputs).toEqual([]);
  expect(report.lost).toBe(0);
  expect(report.completed).toBe(report.invocations);
  expect(report.executionsAfterJournaled).toBe(0);
  expect(report.stepExecutions).toBe(report.invocations * 3 + report.duplicatedSideEffects);
  expect(report.tallyMismatches).toEqual([]);
  expect(report.leftRunning).toBe(0);
}

describe.concurrent("chaos: SIGKILL of endpoint and restate-server loses nothing", () => {
  for (const mode of ["rr", "bidi"] as const) {
    it(`${mode === "rr" ? "request-response" : "bidirectional"} mode`, { timeout: 120_000 }, async () => {
      const report = await runChaos({
        mode,
        durationMs: CHAOS_MS,
        ratePerSecond: 4,
        steps: 3,
        // At least 4 kills in 14 s; the first hits the server, the second the endpoint, the rest are drawn.
        killIntervalMs: [1_500, 3_000],
        serverKillShare: 0.35,
        drainTimeoutMs: 40_000,
      });
      expectNothingLost(report);
    });
  }
});
