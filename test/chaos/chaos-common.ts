// What the single-server chaos run (run-chaos.ts) and the cluster chaos run (run-cluster-chaos.ts) share: the chaos
// endpoint process (Bun) restarted on its port after a kill, and the checks after the drain — every workflow's
// output, no step executed again after its result was journaled, the Tally sums.
import { binPath, spawnEndpoint, type SpawnedEndpoint } from "../e2e/runtimes/support/spawn-endpoint.js";

export const TALLY_KEYS = 3;
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const uniform = ([min, max]: [number, number]) => min + Math.random() * (max - min);

export interface StepResult {
  step: number;
  value: number;
  execution: number;
}
export type FlowOutput = { key: string; steps: StepResult[] };
export interface SubmittedFlow {
  key: string;
  tallyKey: string;
  amount: number;
}

/** Starts test/chaos/chaos-endpoint.ts on `port` (0: any), retrying while the port is still held after a kill. */
export async function startChaosEndpoint(mode: "rr" | "bidi", counterUrl: string, port: number): Promise<SpawnedEndpoint> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await spawnEndpoint({
        command: binPath("bun"),
        args: ["--no-install", "run", "test/chaos/chaos-endpoint.ts", mode],
        env: { PORT: String(port), COUNTER_URL: counterUrl, DO_NOT_TRACK: "1" },
      });
    } catch (err) {
      if (attempt >= 20) throw err;
      await sleep(250); // the port may still be held for a moment after the kill
    }
  }
}

/** The figures the output checks fill in (both reports have them). */
export interface OutputFigures {
  lost: number;
  wrongOutputs: string[];
  stepExecutions: number;
  duplicatedSideEffects: number;
  executionsAfterJournaled: number;
}

/**
 * Checks every submitted workflow's output against the side-effect counter: a missing or wrong output is lost; each
 * step's journaled execution number must be its last execution (a later one ran after the result was stored).
 */
export function checkOutputs(
  report: OutputFigures,
  submitted: readonly SubmittedFlow[],
  outputs: ReadonlyMap<string, FlowOutput>,
  steps: number,
  executionsOf: (key: string) => number,
): void {
  for (const wf of submitted) {
    const out = outputs.get(wf.key);
    if (!out) {
      report.lost++;
      continue;
    }
    const okShape = out.key === wf.key && out.steps.length === steps && out.steps.every((s, i) => s.step === i + 1 && s.value === (i + 1) * 10);
    if (!okShape) {
      report.wrongOutputs.push(`${wf.key}: ${JSON.stringify(out)}`);
      report.lost++;
    }
    for (let step = 1; step <= steps; step++) {
      const executions = executionsOf(`${wf.key}:${step}`);
      report.stepExecutions += executions;
      report.duplicatedSideEffects += Math.max(0, executions - 1);
      const journaled = out.steps[step - 1]?.execution ?? 0;
      if (journaled !== executions) report.executionsAfterJournaled += executions - journaled;
    }
  }
}

/** Each Tally key must hold the sum and count of the amounts of the workflows that used it; returns the mismatches. */
export async function checkTallies(
  submitted: readonly SubmittedFlow[],
  get: (tallyKey: string) => Promise<{ total: number; applied: number }>,
): Promise<string[]> {
  const mismatches: string[] = [];
  for (let t = 0; t < TALLY_KEYS; t++) {
    const tallyKey = `t-${t}`;
    const mine = submitted.filter((wf) => wf.tallyKey === tallyKey);
    const expected = { total: mine.reduce((n, wf) => n + wf.amount, 0), applied: mine.length };
    const actual = await get(tallyKey);
    if (actual.total !== expected.total || actual.applied !== expected.applied) {
      mismatches.push(`${tallyKey}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
    }
  }
  return mismatches;
}
