// `perdure dev --nodes N`: a local cluster (src/local/cluster.ts) with its data kept in .perdure/cluster, shaped
// like the single restate-server `perdure dev` otherwise runs (ingress/admin of n1, stop, logs), so the rest of the
// dev session does not change. Ports: n1 gets the chosen ingress/admin ports, n2 the next ones, and so on (free ones
// when taken); the node-to-node ports are kept in .perdure/cluster/ports.json, because the cluster remembers its
// nodes' addresses across runs.
import * as fs from "node:fs";
import * as path from "node:path";
import { startRestateCluster, type RestateCluster } from "../local/cluster.js";
import { freePort, isPortFree, type RestateServer, type RestateServerPorts } from "../local/restate-server.js";

export type DevServer = Pick<RestateServer, "ingressUrl" | "adminUrl" | "pid" | "logs" | "stop" | "exited"> & { cluster: RestateCluster };

const CLUSTER_NAME = "perdure-dev-cluster";

async function portNear(wanted: number, taken: Set<number>): Promise<number> {
  let port = wanted;
  if (taken.has(port) || !(await isPortFree(port))) {
    port = await freePort();
    while (taken.has(port)) port = await freePort();
  }
  taken.add(port);
  return port;
}

export async function startDevCluster(opts: { nodes: number; dataDir: string; ingress: number; admin: number }): Promise<DevServer> {
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const portsFile = path.join(opts.dataDir, "ports.json");
  let kept: RestateServerPorts[] = [];
  try {
    kept = JSON.parse(fs.readFileSync(portsFile, "utf8")) as RestateServerPorts[];
  } catch {
    /* first run */
  }
  if (kept.length > 0 && kept.length !== opts.nodes) {
    throw new Error(`${opts.dataDir} holds a ${kept.length}-node cluster; use --nodes ${kept.length}, or another --data-dir`);
  }
  const taken = new Set<number>();
  const ports: RestateServerPorts[] = [];
  for (let i = 0; i < opts.nodes; i++) {
    const node = kept[i]?.node ?? (await portNear(5122 + i, taken));
    taken.add(node);
    ports.push({ ingress: await portNear(opts.ingress + i, taken), admin: await portNear(opts.admin + i, taken), node });
  }
  fs.writeFileSync(portsFile, JSON.stringify(ports, null, 2) + "\n");
  const cluster = await startRestateCluster({ nodes: opts.nodes, dataDir: opts.dataDir, clusterName: CLUSTER_NAME, ports, webUi: true });
  const n1 = cluster.nodes[0]!;
  return {
    cluster,
    ingressUrl: n1.ingressUrl,
    adminUrl: n1.adminUrl,
    pid: n1.pid ?? -1,
    logs: () => cluster.logs(),
    stop: () => cluster.stop(),
    // The dev session ends when the whole cluster is gone (one node exiting is what a cluster survives).
    exited: (async () => {
      for (;;) {
        await new Promise((r) => setTimeout(r, 500));
        if (cluster.nodes.every((n) => !n.running)) return { code: null, signal: null };
      }
    })(),
  };
}
