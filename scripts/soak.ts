// Long chaos soak: `npm run soak -- --duration 600 --mode both` (runs under Bun: `bun run scripts/soak.ts`).
// Submits ChaosFlow workflows at a steady rate while restate-server and the endpoint process are SIGKILLed and
// restarted at random points, then checks that nothing was lost or duplicated (test/chaos/run-chaos.ts).
// Options: --duration <seconds> (default 300), --mode rr|bidi|both (default both), --rate <per second> (default 4),
//          --steps <n> (default 3), --kill-min/--kill-max <seconds> between kills (default 2 / 6).
// Exit code 0 only when every figure that must be zero is zero.
import { runChaos } from "../test/chaos/run-chaos.js";
import { soakArgs, soakFailures } from "./soak-common.js";

const parsed = soakArgs();
if (!parsed) {
  console.error("usage: soak.ts [--duration seconds] [--mode rr|bidi|both] [--rate n] [--steps n] [--kill-min s] [--kill-max s]");
  process.exit(2);
}
const { durationS, modes, rate, steps, killInterval } = parsed;

let bad = 0;
for (const mode of modes) {
  const started = Date.now();
  const report = await runChaos({
    mode,
    durationMs: durationS * 1000,
    ratePerSecond: rate,
    steps,
    killIntervalMs: killInterval,
    drainTimeoutMs: 180_000,
    log: (line) => console.log(line),
  });
  console.log(JSON.stringify({ ...report, wallClockS: Math.round((Date.now() - started) / 1000) }, null, 2));
  bad += soakFailures(report);
}
console.log(bad === 0 ? "SOAK OK: nothing lost, nothing applied twice" : `SOAK FAILED (${bad} problems)`);
process.exit(bad === 0 ? 0 : 1);
