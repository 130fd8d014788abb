// A local multi-node Restate cluster from the npm binary, no Docker: N restate-server processes on loopback, each with
// its own data dir, ports and node name, one cluster name, a replicated log and partitions with replication 2 (by
// default), the replicated metadata server on every node, 4 partitions (as the single-server launcher). Node n1 auto-provisions the cluster; the others join it
// through `metadata-client.addresses`. restatectl (npm) tells when every partition has a leader. Node-only.
//
//   const cluster = await startRestateCluster({ nodes: 3 });
//   await cluster.killNode(1);     // SIGKILL n2
//   await cluster.restartNode(1);  // same data dir, ports and name: it rejoins
//   await cluster.stop();
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { freePort, startRestateServer, type RestateServer, type RestateServerPorts } from "./restate-server.js";
import { query, registerDeployment, sqlString, type DeploymentRegistration, type RegisterOptions } from "./admin.js";
import { partitionLeaders, restatectlBinary, type PartitionView } from "./restatectl.js";

export interface RestateClusterOptions {
  /** Number of restate-server processes (≥ 2). Default 3. */
  nodes?: number;
  /** Copies of the log and of each partition (`default-replication`). Default 2: tolerates one node down of 3. */
  replication?: number;
  /** Keep data here (`<dir>/n1`, `<dir>/n2`, …; kept on stop). Default: a temporary dir removed on stop. */
  dataDir?: string;
  /** Ports per node (index 0 = n1); unset ones are picked free. */
  ports?: Array<Partial<RestateServerPorts> | undefined>;
  /** Cluster name; default unique. A kept data dir must keep its cluster name. */
  clusterName?: string;
  protocolV7?: boolean;
  /** Extra environment for every node (inherited `RESTATE_*` variables are dropped). */
  env?: Record<string, string>;
  /** Request identity v1 private key (PKCS#8 PEM) for every node. */
  requestIdentityPrivateKeyPem?: string;
  /** How long the cluster may take until every partition has a leader. Default 90 s. */
  startTimeoutMs?: number;
  /** Serve the web UI on every node's admin port. */
  webUi?: boolean;
}

export interface ClusterNode {
  readonly index: number;
  /** Node name, e.g. "n1" (restatectl and the cluster's tables use it). */
  readonly name: string;
  readonly ingressUrl: string;
  readonly adminUrl: string;
  /** Node-to-node address other nodes and restatectl use. */
  readonly address: string;
  readonly ports: RestateServerPorts;
  /** Whether the process is up (false after killNode until restartNode). */
  readonly running: boolean;
  /** PID of the current process, undefined while the node is down. */
  readonly pid: number | undefined;
  /** What every run of this node printed, oldest first. */
  logs(): string;
}

export interface RestateCluster {
  readonly clusterName: string;
  readonly nodes: readonly ClusterNode[];
  /** Where the node data lives. */
  readonly baseDir: string;
  /** Every node's ingress URL (a client given all of them survives a node: see `connect({ url: [...] })`). */
  readonly ingressUrls: string[];
  /** Ingress / admin URL of the first running node. */
  readonly ingressUrl: string;
  readonly adminUrl: string;
  /** SIGKILL node `i` (0-based) and wait until it is gone. Its data stays for restartNode. */
  killNode(index: number): Promise<void>;
  /** Starts node `i` again with the same data, ports and name; waits until it answers and every partition has a leader. */
  restartNode(index: number): Promise<void>;
  /** Registers a deployment once (through one node) and waits until every running node's admin API knows it. */
  register(uri: string, opts?: RegisterOptions): Promise<DeploymentRegistration>;
  /** Waits until every partition has an active leader on a running node. */
  waitForLeaders(timeoutMs?: number): Promise<PartitionView[]>;
  /** Partitions with their current leaders' node index (undefined: no leader right now). */
  partitions(): Promise<Array<PartitionView & { leaderIndex: number | undefined }>>;
  /** The partition an invocation lives on (with its current leader), or undefined when no node knows the id yet. */
  partitionOfInvocation(invocationId: string): Promise<(PartitionView & { leaderIndex: number | undefined }) | undefined>;
  /** The servers' output, node by node. */
  logs(): string;
  /** Stops every node (SIGTERM, then SIGKILL) and removes a temporary data dir. Safe to call twice. */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function pickPorts(count: number, wanted: RestateClusterOptions["ports"]): Promise<RestateServerPorts[]> {
  const taken = new Set<number>();
  for (const p of wanted ?? []) for (const v of Object.values(p ?? {})) if (v !== undefined) taken.add(v);
  const fresh = async () => {
    let port = await freePort();
    while (taken.has(port)) port = await freePort();
    taken.add(port);
    return port;
  };
  const out: RestateServerPorts[] = [];
  for (let i = 0; i < count; i++) {
    const w = wanted?.[i] ?? {};
    out.push({ ingress: w.ingress ?? (await fresh()), admin: w.admin ?? (await fresh()), node: w.node ?? (await fresh()) });
  }
  return out;
}

class Node implements ClusterNode {
  server: RestateServer | undefined;
  private readonly earlierLogs: string[] = [];

  constructor(
    readonly index: number,
    readonly ports: RestateServerPorts,
    private readonly launch: () => Promise<RestateServer>,
  ) {}

  get name() {
    return `n${this.index + 1}`;
  }
  get ingressUrl() {
    return `http://127.0.0.1:${this.ports.ingress}`;
  }
  get adminUrl() {
    return `http://127.0.0.1:${this.ports.admin}`;
  }
  get address() {
    return `http://127.0.0.1:${this.ports.node}/`;
  }
  running = false;
  get pid() {
    return this.running ? this.server?.pid : undefined;
  }

  async start(): Promise<void> {
    if (this.running) return;
    if (this.server) this.earlierLogs.push(this.server.logs());
    const server = await this.launch();
    this.server = server;
    this.running = true;
    void server.exited.then(() => {
      if (this.server === server) this.running = false;
    });
  }

  async kill(): Promise<void> {
    const server = this.server;
    if (!server || !this.running) return;
    try {
      process.kill(server.pid, "SIGKILL");
    } catch {
      /* already gone */
    }
    await server.exited;
    this.running = false;
    await server.stop(); // releases the launcher's watchdog; the data dir is kept
  }

  logs(): string {
    return [...this.earlierLogs, this.server?.logs() ?? ""].join("\n");
  }
}

export async function startRestateCluster(opts: RestateClusterOptions = {}): Promise<RestateCluster> {
  const count = opts.nodes ?? 3;
  const replication = opts.replication ?? 2;
  if (!Number.isInteger(count) || count < 2 || count > 9) throw new RangeError(`a cluster needs 2 to 9 nodes, got ${count}`);
  if (!Number.isInteger(replication) || replication < 1 || replication > count) {
    throw new RangeError(`replication must be between 1 and the number of nodes (${count}), got ${replication}`);
  }
  const ctl = restatectlBinary(); // fail before starting anything when it is missing
  const tempDir = opts.dataDir === undefined ? fs.mkdtempSync(path.join(os.tmpdir(), "perdure-cluster-")) : undefined;
  const baseDir = opts.dataDir ?? tempDir!;
  const clusterName = opts.clusterName ?? `perdure-${path.basename(baseDir)}-${process.pid}`;
  const removeTemp = () => tempDir && fs.rmSync(tempDir, { recursive: true, force: true });
  process.once("exit", removeTemp);
  const ports = await pickPorts(count, opts.ports);
  const metadataAddresses = ports.map((p) => `http://127.0.0.1:${p.node}/`);

  const nodes: Node[] = ports.map(
    (p, i) =>
      new Node(i, p, () =>
        startRestateServer({
          dataDir: path.join(baseDir, `n${i + 1}`),
          ports: p,
          clusterName,
          nodeName: `n${i + 1}`,
          protocolV7: opts.protocolV7,
          env: opts.env,
          requestIdentityPrivateKeyPem: opts.requestIdentityPrivateKeyPem,
          webUi: opts.webUi,
          startTimeoutMs: opts.startTimeoutMs ?? 90_000,
          // Exactly one node may provision the cluster; the others join through the metadata servers.
          topLevelConfig: [
            `auto-provision = ${i === 0}`,
            `default-replication = ${replication}`,
          ].join("\n"),
          extraConfig: [
            `[metadata-client]`,
            `addresses = ${JSON.stringify(metadataAddresses)}`,
            `[bifrost]`,
            `default-provider = "replicated"`,
          ].join("\n"),
        }),
      ),
  );
  const running = () => nodes.filter((n) => n.running);
  const addresses = () => running().map((n) => n.address);
  const first = () => {
    const n = running()[0];
    if (!n) throw new Error("every node of the cluster is down");
    return n;
  };

  const partitions = async () => {
    const views = await partitionLeaders(addresses(), ctl);
    return views.map((v) => {
      const node = nodes.find((n) => n.name === v.leader && n.running);
      return { ...v, leader: node?.name, leaderIndex: node?.index };
    });
  };
  const waitForLeaders = async (timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
      try {
        const views = await partitions();
        if (views.length > 0 && views.every((v) => v.leaderIndex !== undefined)) return views;
        last = views.map((v) => `P${v.id}:${v.leader ?? "none"}`).join(" ");
      } catch (err) {
        last = err;
      }
      if (Date.now() > deadline) throw new Error(`not every partition of ${clusterName} had a leader within ${timeoutMs} ms (${String(last)})`);
      await sleep(200);
    }
  };
  const checkIndex = (index: number) => {
    const node = nodes[index];
    if (!node) throw new RangeError(`no node ${index}: the cluster has nodes 0..${nodes.length - 1}`);
    return node;
  };

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await Promise.allSettled(nodes.map((n) => n.server?.stop()));
      removeTemp();
      process.removeListener("exit", removeTemp);
    })());

  try {
    await Promise.all(nodes.map((n) => n.start()));
    await waitForLeaders(opts.startTimeoutMs ?? 90_000);
  } catch (err) {
    const logs = nodes.map((n) => `--- ${n.name}\n${n.logs().split("\n").slice(-25).join("\n")}`).join("\n");
    await stop();
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${logs}`, { cause: err });
  }

  return {
    clusterName,
    nodes,
    baseDir,
    ingressUrls: nodes.map((n) => n.ingressUrl),
    get ingressUrl() {
      return first().ingressUrl;
    },
    get adminUrl() {
      return first().adminUrl;
    },
    killNode: (index) => checkIndex(index).kill(),
    restartNode: async (index) => {
      await checkIndex(index).start();
      await waitForLeaders();
    },
    register: async (uri, registerOpts) => {
      const deployment = await registerDeployment(first().adminUrl, uri, registerOpts);
      const deadline = Date.now() + 30_000;
      for (const node of running()) {
        while (!(await knows(node.adminUrl, deployment.id))) {
          if (Date.now() > deadline) throw new Error(`node ${node.name} did not learn deployment ${deployment.id} within 30 s`);
          await sleep(100);
        }
      }
      return deployment;
    },
    waitForLeaders,
    partitions,
    partitionOfInvocation: async (invocationId) => {
      const rows = await query(
        first().adminUrl,
        `SELECT CAST(partition_key AS VARCHAR) AS pk FROM sys_invocation_status WHERE id = ${sqlString(invocationId)}`,
      );
      if (rows.length === 0) return undefined;
      const key = BigInt(String(rows[0]!.pk));
      return (await partitions()).find((p) => p.startKey <= key && key <= p.endKey);
    },
    logs: () => nodes.map((n) => `--- ${n.name}\n${n.logs()}`).join("\n"),
    stop,
  };
}

async function knows(adminUrl: string, deploymentId: string): Promise<boolean> {
  try {
    const res = await fetch(`${adminUrl}/deployments/${encodeURIComponent(deploymentId)}`, { signal: AbortSignal.timeout(2_000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}
