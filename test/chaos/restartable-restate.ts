// A restate-server that can be SIGKILLed and started again with the SAME base dir and ports, so that it recovers
// its own data (journals, state, inbox) — unlike test/e2e/support/restate-server.ts, whose stop() deletes it all.
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { restateServerBinary } from "../e2e/support/restate-server.js";

export interface RestartableRestate {
  adminUrl: string;
  ingressUrl: string;
  baseDir: string;
  /** Starts (or starts again) and waits until admin and ingress answer. */
  start(): Promise<void>;
  /** SIGKILL, no grace: the crash being tested. */
  kill(): Promise<void>;
  isRunning(): boolean;
  logs(): string;
  /** Stops for good and deletes the base dir. */
  destroy(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

const alive = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of alive) child.kill("SIGKILL");
});

function exitOf(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

async function answers(url: string, check?: (body: string) => boolean): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    const body = await res.text();
    return res.ok && (check ? check(body) : true);
  } catch {
    return false;
  }
}

export async function createRestartableRestate(opts: { protocolV7?: boolean; startTimeoutMs?: number } = {}): Promise<RestartableRestate> {
  const bin = restateServerBinary();
  const baseDir = fs.mkdtempSync(path.join(os.tmpdir(), "perdure-chaos-rs-"));
  const ports = new Set<number>();
  while (ports.size < 3) ports.add(await freePort());
  const [node, admin, ingress] = [...ports] as [number, number, number];
  const clusterName = `perdure-chaos-${path.basename(baseDir).slice(-6)}`;
  const configFile = path.join(baseDir, "restate.toml");
  fs.writeFileSync(
    configFile,
    [
      `cluster-name = "${clusterName}"`,
      `node-name = "n1"`,
      `base-dir = ${JSON.stringify(path.join(baseDir, "data"))}`,
      `bind-address = "127.0.0.1:${node}"`,
      `advertised-address = "http://127.0.0.1:${node}/"`,
      `disable-telemetry = true`,
      `log-disable-ansi-codes = true`,
      `log-format = "compact"`,
      `default-num-partitions = 2`,
      `rocksdb-total-memory-size = "256 MiB"`,
      `[worker]`,
      `rule-book-poll-interval = "500ms"`,
      `[admin]`,
      `bind-address = "127.0.0.1:${admin}"`,
      `disable-web-ui = true`,
      `[admin.query-engine]`,
      `memory-size = "128 MiB"`,
      `[ingress]`,
      `bind-address = "127.0.0.1:${ingress}"`,
      ``,
    ].join("\n"),
  );
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("RESTATE_")) env[k] = v;
  if (opts.protocolV7) {
    env.RESTATE_EXPERIMENTAL_ENABLE_PROTOCOL_V7 = "true";
    env.RESTATE_EXPERIMENTAL_ENABLE_VQUEUES = "true";
  }
  const adminUrl = `http://127.0.0.1:${admin}`;
  const ingressUrl = `http://127.0.0.1:${ingress}`;
  let child: ChildProcess | undefined;
  let log = "";

  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;

  const start = async () => {
    if (running()) return;
    const proc = spawn(bin, ["--config-file", configFile, "--no-logo"], { cwd: baseDir, env, stdio: ["ignore", "pipe", "pipe"] });
    child = proc;
    alive.add(proc);
    proc.once("exit", () => alive.delete(proc));
    const append = (chunk: Buffer) => {
      log += chunk.toString("utf8");
      if (log.length > 2_000_000) log = log.slice(-1_000_000);
    };
    proc.stdout!.on("data", append);
    proc.stderr!.on("data", append);
    const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
    for (;;) {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        throw new Error(`restate-server exited while starting (code ${proc.exitCode}):\n${log.split("\n").slice(-30).join("\n")}`);
      }
      const ready =
        (await answers(`${adminUrl}/cluster-health`, (b) => b.includes(clusterName))) &&
        (await answers(`${adminUrl}/health`)) &&
        (await answers(`${ingressUrl}/restate/health`));
      if (ready) return;
      if (Date.now() > deadline) throw new Error(`restate-server not ready after restart:\n${log.split("\n").slice(-30).join("\n")}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  const kill = async () => {
    if (!child || !running()) return;
    const proc = child;
    proc.kill("SIGKILL");
    await exitOf(proc);
  };

  return {
    adminUrl,
    ingressUrl,
    baseDir,
    start,
    kill,
    isRunning: running,
    logs: () => log,
    destroy: async () => {
      if (child && running()) {
        child.kill("SIGTERM");
        const gone = await Promise.race([exitOf(child).then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 5_000))]);
        if (!gone) {
          child.kill("SIGKILL");
          await exitOf(child);
        }
      }
      fs.rmSync(baseDir, { recursive: true, force: true });
    },
  };
}
