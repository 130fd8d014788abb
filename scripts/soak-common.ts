// What the two soak scripts (soak.ts on one server, soak-cluster.ts on a cluster) share: their command-line options
// and the count of figures that must be zero in a chaos report.

export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

export interface SoakArgs {
  durationS: number;
  modes: ("rr" | "bidi")[];
  rate: number;
  steps: number;
  killInterval: [number, number];
}

/** --duration, --mode rr|bidi|both, --rate, --steps, --kill-min/--kill-max (seconds); undefined when invalid. */
export function soakArgs(): SoakArgs | undefined {
  const durationS = Number(arg("duration", "300"));
  const modeArg = arg("mode", "both");
  const modes: ("rr" | "bidi")[] = modeArg === "both" ? ["rr", "bidi"] : [modeArg as "rr" | "bidi"];
  if (!(durationS > 0) || modes.some((m) => m !== "rr" && m !== "bidi")) return undefined;
  return {
    durationS,
    modes,
    rate: Number(arg("rate", "4")),
    steps: Number(arg("steps", "3")),
    killInterval: [Number(arg("kill-min", "2")) * 1000, Number(arg("kill-max", "6")) * 1000],
  };
}

/** Figures of a chaos report that must be zero (lost, re-executed after journaled, left running, wrong, unfinished). */
export function soakFailures(r: {
  lost: number;
  executionsAfterJournaled: number;
  leftRunning: number;
  wrongOutputs: unknown[];
  tallyMismatches: unknown[];
  completed: number;
  invocations: number;
}): number {
  return r.lost + r.executionsAfterJournaled + r.leftRunning + r.wrongOutputs.length + r.tallyMismatches.length + (r.completed === r.invocations ? 0 : 1);
}
