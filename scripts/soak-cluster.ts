// Long chaos soak against a local 3-node cluster: `npm run soak:cluster -- --duration 600 --mode both` (under Bun).
// ChaosFlow workflows are submitted at a steady rate through every node's ingress while single nodes (often the
// leader of an in-flight workflow's partition) and the endpoint process are SIGKILLed and restarted, then checks
// that nothing was lost or applied twice and prints the table (test/chaos/run-cluster-chaos.ts).
// Options: --duration <seconds> (default 300), --mode rr|bidi|both (default both), --rate <per second> (default 4),
//          --steps <n> (default 3), --nodes <n> (default 3), --kill-min/--kill-max <seconds> between kills (default 2 / 6).
// Exit code 0 only when every figure that must be zero is zero.
import { runClusterChaos } from "../test/chaos/run-cluster-chaos.js";
import { arg, soakArgs, soakFailures } from "./soak-common.js";

const parsed = soakArgs();
const nodes = Number(arg("nodes", "3"));
if (!parsed || !(nodes >= 3)) {
  console.error("usage: soak-cluster.ts [--duration seconds] [--mode rr|bidi|both] [--rate n] [--steps n] [--nodes n≥3] [--kill-min s] [--kill-max s]");
  process.exit(2);
}
const { durationS, modes, rate, steps, killInterval } = parsed;

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => (s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))]! : 0);
  return { n: s.length, p50: at(0.5), p90: at(0.9), max: s.length ? s[s.length - 1]! : 0 };
};

const rows: string[] = [];
let bad = 0;
for (const mode of modes) {
  const started = Date.now();
  const report = await runClusterChaos({
    mode,
    nodes,
    durationMs: durationS * 1000,
    ratePerSecond: rate,
    steps,
    killIntervalMs: killInterval,
    drainTimeoutMs: 180_000,
    log: (line) => console.log(line),
  });
  console.log(JSON.stringify({ ...report, wallClockS: Math.round((Date.now() - started) / 1000) }, null, 2));
  const s = stats(report.stallsMs);
  rows.push(
    `| ${mode} | ${report.nodes} | ${durationS} s | ${report.invocations} | ${report.leaderKills} / ${report.randomNodeKills} / ${report.endpointKills} | ` +
      `${report.stepExecutions} | ${report.duplicatedSideEffects} | ${report.executionsAfterJournaled} | ${report.lost} | ${report.leftRunning} | ` +
      `${s.p50} / ${s.p90} / ${s.max} ms (${s.n}) |`,
  );
  bad += soakFailures(report);
}
console.log(
  [
    "",
    "| mode | nodes | chaos | invocations | kills: leader / random node / endpoint | steps executed | duplicated side effects | executed after journaled | lost | left running | stall while leadership moved p50 / p90 / max (kills) |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
    ...rows,
  ].join("\n"),
);
console.log(bad === 0 ? "SOAK OK: nothing lost, nothing applied twice" : `SOAK FAILED (${bad} problems)`);
process.exit(bad === 0 ? 0 : 1);
