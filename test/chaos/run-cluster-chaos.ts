// The chaos scenario of run-chaos.ts against a local multi-node cluster (src/local/cluster.ts), shared by the CI
// test (test/cluster/cluster-chaos.test.ts, short) and `npm run soak:cluster` (long). ChaosFlow workflows are
// submitted at a steady rate through perdure's failover client (every node's ingress) while a controller SIGKILLs,
// one at a time, the leader of the partition an in-flight workflow lives on, a random node, or the endpoint process
// (Bun), and starts it again (a node with its own data dir, ports and name). After each node kill it measures how
// long the partitions that node led stalled: the time until a fresh invocation on each of them completed through a
// surviving node. Afterwards the same checks as on one server: every workflow completed once with the right output,
// no step re-executed after its result was journaled, the Tally objects hold the sums, nothing is left running.
import { connect, rpc } from "../../src/clients/index.js";
import { query } from "../../src/local/admin.js";
import { startRestateCluster, type RestateCluster } from "../../src/local/cluster.js";
import type { SpawnedEndpoint } from "../e2e/runtimes/support/spawn-endpoint.js";
import { TALLY_KEYS, checkOutputs, checkTallies, sleep, startChaosEndpoint, uniform, type FlowOutput } from "./chaos-common.js";
import { startCounterServer } from "./counter-server.js";

export interface ClusterChaosOptions {
  mode: "rr" | "bidi";
  nodes?: number;
  durationMs: number;
  ratePerSecond?: number;
  steps?: number;
  /** Pause between two kills (after the previous victim is back), drawn uniformly from [min, max] ms. */
  killIntervalMs?: [number, number];
  /** Share of kills that hit the endpoint process; the rest hit nodes. */
  endpointKillShare?: number;
  /** Share of node kills aimed at the leader of an in-flight workflow's partition; the rest hit a random node. */
  leaderKillShare?: number;
  drainTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface ClusterChaosReport {
  mode: "rr" | "bidi";
  nodes: number;
  durationMs: number;
  invocations: number;
  completed: number;
  /** Node kills aimed at the leader of an in-flight workflow's partition. */
  leaderKills: number;
  randomNodeKills: number;
  endpointKills: number;
  stepExecutions: number;
  duplicatedSideEffects: number;
  executionsAfterJournaled: number;
  lost: number;
  /** Per node kill that took leadership away: ms until every partition it led served an invocation again. */
  stallsMs: number[];
  wrongOutputs: string[];
  tallyMismatches: string[];
  leftRunning: number;
}

const tally = { name: "Tally" };
const chaosFlow = { name: "ChaosFlow" };


/** One Tally key per partition (Tally.get is read-only), to probe each partition after a kill. */
async function probeKeys(cluster: RestateCluster): Promise<Map<number, string>> {
  const keys = new Map<number, string>();
  const count = (await cluster.partitions()).length;
  for (let i = 0; keys.size < count && i < 400; i++) {
    const key = `probe-${i}`;
    const res = await fetch(`${cluster.ingressUrl}/Tally/${key}/get/send`, { method: "POST" });
    const { invocationId } = (await res.json()) as { invocationId: string };
    for (let t = 0; t < 50; t++) {
      const p = await cluster.partitionOfInvocation(invocationId);
      if (p) {
        if (!keys.has(p.id)) keys.set(p.id, key);
        break;
      }
      await sleep(50);
    }
  }
  return keys;
}

/**
 * A query that scans partitions on other nodes can fail for a while after a node restart (1.7.12 answers "No such
 * scanner" when a remote scan was dropped, or "expecting a partition store" until the new leader has opened its
 * store — seen for more than 5 s on a loaded 2-core machine): ask again, for up to a minute.
 */
async function retried<T>(fn: () => Promise<T>, attempts = 120): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempts) throw err;
      await sleep(500);
    }
  }
}

export async function runClusterChaos(opts: ClusterChaosOptions): Promise<ClusterChaosReport> {
  const log = opts.log ?? (() => {});
  const nodeCount = opts.nodes ?? 3;
  const rate = opts.ratePerSecond ?? 4;
  const steps = opts.steps ?? 3;
  const killInterval = opts.killIntervalMs ?? [1_500, 4_000];
  const tag = `[cluster-chaos ${opts.mode}]`;
  const counter = await startCounterServer();
  let cluster: RestateCluster | undefined;
  let endpoint: SpawnedEndpoint | undefined;
  const report: ClusterChaosReport = {
    mode: opts.mode,
    nodes: nodeCount,
    durationMs: opts.durationMs,
    invocations: 0,
    completed: 0,
    leaderKills: 0,
    randomNodeKills: 0,
    endpointKills: 0,
    stepExecutions: 0,
    duplicatedSideEffects: 0,
    executionsAfterJournaled: 0,
    lost: 0,
    stallsMs: [],
    wrongOutputs: [],
    tallyMismatches: [],
    leftRunning: 0,
  };
  const startEndpoint = (port: number) => startChaosEndpoint(opts.mode, counter.url, port);

  try {
    cluster = await startRestateCluster({ nodes: nodeCount });
    const c = cluster;
    endpoint = await startEndpoint(0);
    const port = endpoint.port;
    await c.register(endpoint.url, { useHttp11: true });
    const probes = await probeKeys(c);
    log(`${tag} ${nodeCount} nodes (${c.ingressUrls.join(", ")}), endpoint ${endpoint.url}, probe keys ${JSON.stringify([...probes])}`);
    // Every node's ingress, with failover: a submission is a workflow run (one per key), safe to send again.
    // Untyped: the chaos endpoint runs in another process, its definitions are not imported here.
    const client = connect({ url: c.ingressUrls }) as any;

    const submitted: { key: string; tallyKey: string; amount: number; invocationId?: string }[] = [];
    const submissions: Promise<void>[] = [];
    const submit = async (wf: (typeof submitted)[number]) => {
      for (;;) {
        try {
          const sent = await client
            .workflowClient(chaosFlow, wf.key)
            .workflowSubmit({ steps, tallyKey: wf.tallyKey, amount: wf.amount }, rpc.sendOpts({ signal: AbortSignal.timeout(10_000) }));
          wf.invocationId = (sent as { invocationId: string }).invocationId;
          return;
        } catch {
          await sleep(200); // every node unreachable for a moment, or a timeout: the key makes a re-send safe
        }
      }
    };
    const chaosEnd = Date.now() + opts.durationMs;
    const driver = (async () => {
      for (let i = 0; Date.now() < chaosEnd; i++) {
        const wf = { key: `wf-${i}`, tallyKey: `t-${i % TALLY_KEYS}`, amount: i + 1 };
        submitted.push(wf);
        submissions.push(submit(wf));
        await sleep(1_000 / rate);
      }
    })();

    /** ms until a Tally.get on every given partition answered through a running node. */
    const measureStall = async (killedAt: number, partitions: number[]) => {
      const times = await Promise.all(
        partitions.map(async (pid) => {
          const key = probes.get(pid);
          if (key === undefined) return 0;
          for (;;) {
            try {
              await client.objectClient(tally, key).get(rpc.opts({ idempotencyKey: `probe-${killedAt}-${pid}`, signal: AbortSignal.timeout(30_000) }));
              return Date.now() - killedAt;
            } catch {
              if (Date.now() - killedAt > 60_000) return Date.now() - killedAt;
              await sleep(50);
            }
          }
        }),
      );
      return Math.max(0, ...times);
    };

    const controller = (async () => {
      for (let round = 0; ; round++) {
        const pause = uniform(killInterval);
        if (Date.now() + pause >= chaosEnd) break;
        await sleep(pause);
        // The first kills cover each kind (leader, endpoint, random node) even in a short run; then random.
        const kind = round < 3 ? (["leader", "endpoint", "node"] as const)[round]! : Math.random() < (opts.endpointKillShare ?? 0.25) ? "endpoint" : Math.random() < (opts.leaderKillShare ?? 0.6) ? "leader" : "node";
        if (kind === "endpoint") {
          process.kill(endpoint!.pid, "SIGKILL");
          await endpoint!.stop();
          report.endpointKills++;
          log(`${tag} killed the endpoint`);
          await sleep(uniform([0, 500]));
          endpoint = await startEndpoint(port);
          continue;
        }
        let victim: number | undefined;
        let why = "random node";
        if (kind === "leader") {
          // A recent submission is most likely still running: kill the leader of its partition.
          const recent = submitted.slice(-8).filter((wf) => wf.invocationId);
          const wf = recent[Math.floor(Math.random() * recent.length)];
          const p = wf ? await c.partitionOfInvocation(wf.invocationId!).catch(() => undefined) : undefined;
          if (p?.leaderIndex !== undefined) {
            victim = p.leaderIndex;
            why = `leader of P${p.id} (${wf!.key})`;
          }
        }
        victim ??= Math.floor(Math.random() * nodeCount);
        const led = (await c.partitions()).filter((p) => p.leaderIndex === victim).map((p) => p.id);
        const killedAt = Date.now();
        await c.killNode(victim);
        if (why === "random node") report.randomNodeKills++;
        else report.leaderKills++;
        const stall = led.length > 0 ? await measureStall(killedAt, led) : undefined;
        if (stall !== undefined) report.stallsMs.push(stall);
        log(`${tag} killed ${c.nodes[victim]!.name}, ${why}; it led [${led.map((p) => `P${p}`).join(" ")}]${stall !== undefined ? `, stalled ${stall} ms` : ""}`);
        await sleep(uniform([0, 500]));
        await c.restartNode(victim); // waits until every partition has a leader again
      }
    })();
    await Promise.all([driver, controller]);
    await Promise.all(submissions);
    report.invocations = submitted.length;
    log(`${tag} chaos over: ${submitted.length} submitted, ${report.leaderKills + report.randomNodeKills + report.endpointKills} kills; draining`);

    const outputs = new Map<string, FlowOutput>();
    const drainEnd = Date.now() + (opts.drainTimeoutMs ?? 60_000);
    while (outputs.size < submitted.length && Date.now() < drainEnd) {
      for (const wf of submitted) {
        if (outputs.has(wf.key)) continue;
        try {
          const out = await client.workflowClient(chaosFlow, wf.key).workflowOutput();
          if (out.ready) outputs.set(wf.key, out.result as FlowOutput);
        } catch (err) {
          const status = (err as { status?: number }).status;
          if (status !== undefined && status !== 404) report.wrongOutputs.push(`${wf.key}: ${String(err)}`);
        }
      }
      if (outputs.size < submitted.length) await sleep(250);
    }
    report.completed = outputs.size;

    checkOutputs(report, submitted, outputs, steps, (key) => counter.counts.get(key) ?? 0);
    report.tallyMismatches = await checkTallies(submitted, async (tallyKey) => (await client.objectClient(tally, tallyKey).get()) as { total: number; applied: number });
    const rows = await retried(() => query(c.adminUrl, "SELECT id, target, status FROM sys_invocation WHERE status != 'completed'"));
    report.leftRunning = rows.length;
    if (rows.length > 0) log(`${tag} still running: ${JSON.stringify(rows.slice(0, 5))}`);
    return report;
  } finally {
    await endpoint?.stop();
    await cluster?.stop();
    await counter.close();
  }
}
