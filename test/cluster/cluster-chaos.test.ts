// Faults on a 3-node cluster lose nothing (CI version of `npm run soak:cluster`): ChaosFlow workflows are submitted
// through every node's ingress while the leader of an in-flight workflow's partition, a random node and the endpoint
// process (Bun) are SIGKILLed and restarted one at a time. Afterwards every workflow completed once with the right
// output, no step re-executed after its result was journaled, the Tally objects hold the sums, nothing is left
// running; the time the killed leader's partitions stalled is printed. Both modes, one after the other (six
// restate-server processes at once would be too much for two cores next to the rest of the suite).
import { describe, expect, it } from "vitest";
import { runClusterChaos, type ClusterChaosReport } from "../chaos/run-cluster-chaos.js";

function expectNothingLost(report: ClusterChaosReport) {
  console.log(`[cluster-chaos ${report.mode}] ${JSON.stringify(report)}`);
  expect(report.leaderKills).toBeGreaterThanOrEqual(1);
  expect(report.endpointKills).toBeGreaterThanOrEqual(1);
  expect(report.leaderKills + report.randomNodeKills).toBeGreaterThanOrEqual(2);
  expect(report.stallsMs.length).toBeGreaterThanOrEqual(1);
  expect(report.invocations).toBeGreaterThan(30);
  expect(report.wrongOutputs).toEqual([]);
  expect(report.lost).toBe(0);
  expect(report.completed).toBe(report.invocations);
  expect(report.executionsAfterJournaled).toBe(0);
  expect(report.stepExecutions).toBe(report.invocations * 3 + report.duplicatedSideEffects);
  expect(report.tallyMismatches).toEqual([]);
  expect(report.leftRunning).toBe(0);
}

describe("cluster chaos: SIGKILL of nodes (partition leaders included) and of the endpoint loses nothing", () => {
  for (const mode of ["rr", "bidi"] as const) {
    it(`${mode === "rr" ? "request-response" : "bidirectional"} mode`, { timeout: 150_000 }, async () => {
      const report = await runClusterChaos({
        mode,
        durationMs: 22_000,
        ratePerSecond: 4,
        steps: 3,
        // The first three kills are a partition leader, the endpoint and a random node; each node comes back before
        // the next kill (replication 2 tolerates one node down).
        killIntervalMs: [500, 1_500],
        drainTimeoutMs: 60_000,
      });
      expectNothingLost(report);
    });
  }
});
