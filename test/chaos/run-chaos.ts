// The chaos scenario shared by the CI test (test/e2e/chaos.e2e.test.ts, short) and the soak (scripts/soak.ts, long):
// ChaosFlow workflows are submitted at a steady rate while a controller SIGKILLs, at random points, the endpoint
// process (Bun) or restate-server, and starts it again (the server with the same base dir and ports). Afterwards
// every workflow must have completed exactly once with the right output, each step's journaled result must come
// from its last execution (an execution after the result was stored would be a lost guarantee), the Tally objects
// must hold the sum of the applied amounts, and nothing may be left running.
import { registerDeployment, query } from "../e2e/support/admin.js";
import type { SpawnedEndpoint } from "../e2e/runtimes/support/spawn-endpoint.js";
import { TALLY_KEYS, checkOutputs, checkTallies, sleep, startChaosEndpoint, uniform, type FlowOutput } from "./chaos-common.js";
import { startCounterServer } from "./counter-server.js";
import { createRestartableRestate } from "./restartable-restate.js";

export interface ChaosOptions {
  mode: "rr" | "bidi";
  /** How long workflows are submitted and processes killed. */
  durationMs: number;
  /** Workflows submitted per second. */
  ratePerSecond?: number;
  /** ctx.run steps per workflow. */
  steps?: number;
  /** Pause between two kills, drawn uniformly from [min, max] ms. */
  killIntervalMs?: [number, number];
  /** Share of kills (after the first two: server, then endpoint) that hit restate-server; the rest hit the endpoint. */
  serverKillShare?: number;
  /** How long to wait for all workflows to finish after the chaos phase. */
  drainTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface ChaosReport {
  mode: "rr" | "bidi";
  durationMs: number;
  invocations: number;
  completed: number;
  endpointKills: number;
  serverKills: number;
  restarts: number;
  stepExecutions: number;
  /** Step executions beyond the first (each one killed before its result was stored). */
  duplicatedSideEffects: number;
  /** Steps executed again after their result was journaled: must be 0. */
  executionsAfterJournaled: number;
  /** Workflows that never completed, or whose output is wrong: must be 0. */
  lost: number;
  wrongOutputs: string[];
  tallyMismatches: string[];
  leftRunning: number;
}

export async function runChaos(opts: ChaosOptions): Promise<ChaosReport> {
  const log = opts.log ?? (() => {});
  const rate = opts.ratePerSecond ?? 4;
  const steps = opts.steps ?? 3;
  const killInterval = opts.killIntervalMs ?? [1_500, 4_000];
  const serverShare = opts.serverKillShare ?? 0.35;
  const counter = await startCounterServer();
  const restate = await createRestartableRestate();
  let endpoint: SpawnedEndpoint | undefined;
  const report: ChaosReport = {
    mode: opts.mode,
    durationMs: opts.durationMs,
    invocations: 0,
    completed: 0,
    endpointKills: 0,
    serverKills: 0,
    restarts: 0,
    stepExecutions: 0,
    duplicatedSideEffects: 0,
    executionsAfterJournaled: 0,
    lost: 0,
    wrongOutputs: [],
    tallyMismatches: [],
    leftRunning: 0,
  };

  const startEndpoint = (port: number) => startChaosEndpoint(opts.mode, counter.url, port);

  try {
    await restate.start();
    endpoint = await startEndpoint(0);
    const port = endpoint.port;
    await registerDeployment(restate.adminUrl, endpoint.url, { useHttp11: true });
    log(`[chaos ${opts.mode}] server ${restate.adminUrl}, endpoint ${endpoint.url}, counter ${counter.url}`);

    // ---- driver: steady submissions; each keeps retrying until the server accepted it ----
    const submitted: { key: string; tallyKey: string; amount: number }[] = [];
    const submissions: Promise<void>[] = [];
    const submit = async (key: string, body: unknown) => {
      for (;;) {
        try {
          const res = await fetch(`${restate.ingressUrl}/ChaosFlow/${key}/run/send`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(body),
            signal: AbortSignal.timeout(5_000),
          });
          await res.text();
          if (res.ok) return;
        } catch {
          /* server down: try again */
        }
        await sleep(200);
      }
    };
    const chaosEnd = Date.now() + opts.durationMs;
    const driver = (async () => {
      for (let i = 0; Date.now() < chaosEnd; i++) {
        const wf = { key: `wf-${i}`, tallyKey: `t-${i % TALLY_KEYS}`, amount: i + 1 };
        submitted.push(wf);
        submissions.push(submit(wf.key, { steps, tallyKey: wf.tallyKey, amount: wf.amount }));
        await sleep(1_000 / rate);
      }
    })();

    // ---- controller: kill one process at a random point, start it again ----
    const controller = (async () => {
      for (;;) {
        const pause = uniform(killInterval);
        if (Date.now() + pause >= chaosEnd) break;
        await sleep(pause);
        // The first kill hits the server and the second the endpoint, so even a short run covers both; then random.
        const hitServer = report.restarts === 0 ? true : report.restarts === 1 ? false : Math.random() < serverShare;
        if (hitServer) {
          await restate.kill();
          report.serverKills++;
          log(`[chaos ${opts.mode}] killed restate-server`);
          await sleep(uniform([0, 500]));
          await restate.start();
        } else {
          process.kill(endpoint!.pid, "SIGKILL");
          await endpoint!.stop();
          report.endpointKills++;
          log(`[chaos ${opts.mode}] killed endpoint`);
          await sleep(uniform([0, 500]));
          endpoint = await startEndpoint(port);
        }
        report.restarts++;
      }
    })();
    await Promise.all([driver, controller]);
    await Promise.all(submissions);
    report.invocations = submitted.length;
    log(`[chaos ${opts.mode}] chaos over: ${submitted.length} submitted, ${report.endpointKills + report.serverKills} kills; draining`);

    // ---- drain: every workflow must complete ----
    const outputs = new Map<string, FlowOutput>();
    const drainEnd = Date.now() + (opts.drainTimeoutMs ?? 60_000);
    while (outputs.size < submitted.length && Date.now() < drainEnd) {
      for (const wf of submitted) {
        if (outputs.has(wf.key)) continue;
        try {
          const res = await fetch(`${restate.ingressUrl}/restate/workflow/ChaosFlow/${wf.key}/output`, { signal: AbortSignal.timeout(5_000) });
          const text = await res.text();
          if (res.status === 200) outputs.set(wf.key, JSON.parse(text) as FlowOutput);
          else if (res.status !== 470 && res.status !== 404) report.wrongOutputs.push(`${wf.key}: HTTP ${res.status} ${text.slice(0, 200)}`);
        } catch {
          /* try again */
        }
      }
      if (outputs.size < submitted.length) await sleep(250);
    }
    report.completed = outputs.size;

    // ---- verify ----
    checkOutputs(report, submitted, outputs, steps, (key) => counter.counts.get(key) ?? 0);
    report.tallyMismatches = await checkTallies(submitted, async (tallyKey) => {
      const res = await fetch(`${restate.ingressUrl}/Tally/${tallyKey}/get`, { method: "POST", signal: AbortSignal.timeout(10_000) });
      return (await res.json()) as { total: number; applied: number };
    });
    const rows = await query(restate.adminUrl, "SELECT id, target, status FROM sys_invocation WHERE status != 'completed'");
    report.leftRunning = rows.length;
    if (rows.length > 0) log(`[chaos ${opts.mode}] still running: ${JSON.stringify(rows.slice(0, 5))}`);
    return report;
  } finally {
    await endpoint?.stop();
    await restate.destroy();
    await counter.close();
  }
}
