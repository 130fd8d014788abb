// restatectl (npm @restatedev/restatectl, a single binary like restate-server): the cluster's own view of its nodes
// and partitions, read over the node-to-node port. restate-server's admin API has no partition table, so a local
// cluster needs this to know when every partition has a leader and which node leads which partition. Node-only.
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import * as fs from "node:fs";
import * as path from "node:path";

/** Path of the restatectl binary, from `@restatedev/restatectl-<platform>-<arch>` (perdure's install or the project's). */
export function restatectlBinary(): string {
  const pkg = `@restatedev/restatectl-${process.platform}-${process.arch}`;
  for (const base of [import.meta.url, path.join(process.cwd(), "package.json")]) {
    try {
      const bin = path.join(path.dirname(createRequire(base).resolve(`${pkg}/package.json`)), "bin", "restatectl");
      if (fs.existsSync(bin)) return bin;
    } catch {
      /* not installed there */
    }
  }
  throw new Error(
    `restatectl is not installed, and a multi-node cluster needs it (to see partition leaders): add it with ` +
      `\`npm install --save-dev @restatedev/restatectl@<the version of restate-server>\` (looked for ${pkg})`,
  );
}

export type SqlRow = Record<string, unknown>;

/** `restatectl sql --json` against the cluster (any of `addresses`, the nodes' advertised node-to-node URLs). */
export function clusterSql(addresses: string[], sql: string, opts: { binary?: string; timeoutMs?: number } = {}): Promise<SqlRow[]> {
  const bin = opts.binary ?? restatectlBinary();
  const args = ["--address", addresses.join(","), "--connect-timeout", "1000", "--request-timeout", "3000", "sql", "--json", sql];
  return new Promise((resolve, reject) => {
    execFile(bin, args, { timeout: opts.timeoutMs ?? 10_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`restatectl sql failed: ${String(stderr || err.message).trim().slice(0, 500)}`));
      // The JSON array comes first; a "N rows. Query took …" line may follow it.
      const start = stdout.indexOf("[");
      const end = stdout.lastIndexOf("]");
      if (start < 0 || end < start) return reject(new Error(`restatectl sql printed no JSON: ${stdout.slice(0, 300)}`));
      try {
        resolve(JSON.parse(stdout.slice(start, end + 1)) as SqlRow[]);
      } catch (parseError) {
        reject(new Error(`restatectl sql printed invalid JSON (${String(parseError)}): ${stdout.slice(0, 300)}`));
      }
    });
  });
}

export interface PartitionView {
  id: number;
  /** Inclusive range of partition keys (decimal strings: they exceed 2^53). */
  startKey: bigint;
  endKey: bigint;
  /** Node name (e.g. "n2") of the processor that currently runs as leader, if any is alive. */
  leader: string | undefined;
}

/** Every partition with the name of the node whose processor is its active leader right now. */
export async function partitionLeaders(addresses: string[], binary?: string): Promise<PartitionView[]> {
  const [partitions, leaders, nodes] = await Promise.all([
    clusterSql(addresses, "SELECT partition_id, CAST(start_key AS VARCHAR) AS start_key, CAST(end_key AS VARCHAR) AS end_key FROM partitions", { binary }),
    clusterSql(
      addresses,
      "SELECT partition_id, plain_node_id FROM partition_state WHERE effective_mode = 'Leader' AND replay_status = 'active'",
      { binary },
    ),
    clusterSql(addresses, "SELECT plain_node_id, name, state FROM nodes", { binary }),
  ]);
  const aliveName = new Map<string, string>();
  for (const n of nodes) if (n.state === "alive") aliveName.set(String(n.plain_node_id), String(n.name));
  const leaderOf = new Map<number, string>();
  for (const row of leaders) {
    const name = aliveName.get(String(row.plain_node_id));
    if (name !== undefined) leaderOf.set(Number(row.partition_id), name);
  }
  return partitions
    .map((p) => ({
      id: Number(p.partition_id),
      startKey: BigInt(String(p.start_key)),
      endKey: BigInt(String(p.end_key)),
      leader: leaderOf.get(Number(p.partition_id)),
    }))
    .sort((a, b) => a.id - b.id);
}
