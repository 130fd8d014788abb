// Long chaos soak: `npm run soak -- --duration 600 --mode both` (runs under Bun: `bun run scripts/soak.ts`).
// Submits ChaosFlow workflows at a steady rate while restate-server and the endpoint process are SIGKILLed and
// restarted at random points, then checks that nothing was lost or duplicated (test/chaos/run-chaos.ts).
// Options: --duration <seconds> (default 300), --mode rr|bidi|both (default both), --rate <per second> (default 4),
//          --steps <n> (default 3), --kill-min/--kill-max <seconds> between kills (default 2 / 6).
// Exit code 0 only when every figure that must be zero is zero.
import { runChaos, type ChaosReport } from "../test/chaos/run-chaos.js";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const durationS = Number(arg("duration", "300"));
const modeArg = arg("mode", "both");
const modes: ("rr" | "bidi")[] = modeArg === "both" ? ["rr", "bidi"] : [modeArg as "rr" | "bidi"];
const rate = Number(arg("rate", "4"));
const steps = Number(arg("steps", "3"));
const killInterval: [number, number] = [Number(arg("kill-min", "2")) * 1000, Number(arg("kill-max", "6")) * 1000];
if (!(durationS > 0) || modes.some((m) => m !== "rr" && m !== "bidi")) {
  console.error("usage: soak.ts [--duration seconds] [--mode rr|bidi|both] [--rate n] [--steps n] [--kill-min s] [--kill-max s]");
  process.exit(2);
}

const failures = (r: ChaosReport) =>
  r.lost + r.executionsAfterJournaled + r.leftRunning + r.wrongOutputs.length + r.tallyMismatches.length + (r.completed === r.invocations ? 0 : 1);

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
  bad += failures(report);
}
console.log(bad === 0 ? "SOAK OK: nothing lost, nothing applied twice" : `SOAK FAILED (${bad} problems)`);
process.exit(bad === 0 ? 0 : 1);
