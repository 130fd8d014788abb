// Starts a real restate-server (the npm binary) on loopback with a fresh base dir and free ports.
// Several can run at once (one per test file and protocol version); none outlives the test process.
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

export interface RestateServerOptions {
  /** Enable service protocol V7 (experimental in 1.7.x; also enables vqueues, which scopes/limit keys need). */
  protocolV7?: boolean;
  /** Extra environment for the server, e.g. `RESTATE_LOG_FILTER`. */
  env?: Record<string, string>;
  /** How long to wait for admin and ingress to answer. Default 30 s. */
  startTimeoutMs?: number;
  /**
   * Request identity v1: an Ed25519 private key (PKCS#8 PEM). The server then signs every request it sends to
   * deployments (`[worker.invoker] request-identity-private-key-pem-file`, written into the base dir).
   */
  requestIdentityPrivateKeyPem?: string;
}

export interface RestateServer {
  ingressUrl: string;
  adminUrl: string;
  pid: number;
  baseDir: string;
  protocolV7: boolean;
  /** Everything the server printed so far (stdout + stderr). */
  logs(): string;
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 5_000;
const LOG_LIMIT = 2_000_000;

/** Path of the platform binary from `@restatedev/restate-server-<platform>-<arch>`. */
export function restateServerBinary(): string {
  const pkg = `@restatedev/restate-server-${process.platform}-${process.arch}`;
  const require = createRequire(import.meta.url);
  let pkgJson: string;
  try {
    pkgJson = require.resolve(`${pkg}/package.json`);
  } catch {
    throw new Error(
      `restate-server binary package ${pkg} is not installed (run \`npm ci\`; ` +
        `@restatedev/restate-server ships binaries for linux/darwin x64/arm64 only)`,
    );
  }
  const bin = path.join(path.dirname(pkgJson), "bin", "restate-server");
  if (!fs.existsSync(bin)) throw new Error(`restate-server binary missing at ${bin}`);
  return bin;
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

async function distinctFreePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

function configToml(baseDir: string, clusterName: string, ports: { node: number; admin: number; ingress: number }): string {
  // Every listener the server opens is named here and bound to loopback (checked with `ss -ltnp`:
  // 1.7.12 opens exactly these three TCP ports; metrics are served on the node port; the tokio
  // console is not compiled in). Unix sockets live inside the base dir.
  return [
    // Unique per server: readiness checks it, so a port taken over by another server is never mistaken for ours.
    `cluster-name = "${clusterName}"`,
    `node-name = "n1"`,
    `base-dir = ${JSON.stringify(baseDir)}`,
    `bind-address = "127.0.0.1:${ports.node}"`,
    `advertised-address = "http://127.0.0.1:${ports.node}/"`,
    `disable-telemetry = true`,
    `log-disable-ansi-codes = true`,
    `log-format = "compact"`,
    // Fewer partitions: faster start, less memory when several servers run side by side.
    `default-num-partitions = 4`,
    `rocksdb-total-memory-size = "256 MiB"`,
    `[worker]`,
    `rule-book-poll-interval = "500ms"`,
    `[admin]`,
    `bind-address = "127.0.0.1:${ports.admin}"`,
    `disable-web-ui = true`,
    `[admin.query-engine]`,
    `memory-size = "128 MiB"`,
    `[ingress]`,
    `bind-address = "127.0.0.1:${ports.ingress}"`,
    ``,
  ].join("\n");
}

// Kill every server still running when this process exits (test failure, worker teardown).
const running = new Map<number, { child: ChildProcess; baseDir: string }>();
process.once("exit", () => {
  for (const { child, baseDir } of running.values()) {
    try {
      child.kill("SIGKILL");
      fs.rmSync(baseDir, { recursive: true, force: true });
    } catch {
      /* already gone */
    }
  }
});

/** A tiny detached shell that kills the server if this Node process dies without running 'exit' handlers (SIGKILL). */
function spawnWatchdog(serverPid: number, baseDir: string): ChildProcess | undefined {
  const [parent, server, dir] = [process.pid, serverPid, JSON.stringify(baseDir)];
  // Runs until the parent or the server is gone; cleans up only when the parent vanished first.
  const script = [
    `while kill -0 ${parent} 2>/dev/null && kill -0 ${server} 2>/dev/null; do sleep 1; done`,
    `if ! kill -0 ${parent} 2>/dev/null; then`,
    `  kill -TERM ${server} 2>/dev/null; i=0`,
    `  while kill -0 ${server} 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done`,
    `  kill -KILL ${server} 2>/dev/null; rm -rf ${dir}`,
    `fi`,
  ].join("\n");
  try {
    const dog = spawn("/bin/sh", ["-c", script], { detached: true, stdio: "ignore" });
    dog.on("error", () => {});
    dog.unref();
    return dog;
  } catch {
    return undefined;
  }
}

async function answers(url: string, expectBody?: (body: string) => boolean): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    const body = await res.text();
    return res.status === 200 && (expectBody ? expectBody(body) : true);
  } catch {
    return false;
  }
}

function isCluster(name: string) {
  return (body: string) => {
    try {
      return (JSON.parse(body) as { cluster_name?: string }).cluster_name === name;
    } catch {
      return false;
    }
  };
}

function tail(text: string, lines = 60): string {
  return text.split("\n").slice(-lines).join("\n");
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function startOnce(bin: string, opts: RestateServerOptions): Promise<RestateServer> {
  const baseDir = fs.mkdtempSync(path.join(os.tmpdir(), "perdure-rs-"));
  const [node, admin, ingress] = (await distinctFreePorts(3)) as [number, number, number];
  const configFile = path.join(baseDir, "restate.toml");
  const clusterName = `perdure-e2e-${path.basename(baseDir).slice("perdure-rs-".length)}`;
  let config = configToml(path.join(baseDir, "data"), clusterName, { node, admin, ingress });
  if (opts.requestIdentityPrivateKeyPem !== undefined) {
    const pemFile = path.join(baseDir, "request-identity.pem");
    fs.writeFileSync(pemFile, opts.requestIdentityPrivateKeyPem, { mode: 0o600 });
    config += `[worker.invoker]\nrequest-identity-private-key-pem-file = ${JSON.stringify(pemFile)}\n`;
  }
  fs.writeFileSync(configFile, config);

  // Inherited RESTATE_* variables would silently change the config; start from a clean slate.
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("RESTATE_")) env[k] = v;
  if (opts.protocolV7) {
    env.RESTATE_EXPERIMENTAL_ENABLE_PROTOCOL_V7 = "true";
    env.RESTATE_EXPERIMENTAL_ENABLE_VQUEUES = "true";
  }
  Object.assign(env, opts.env ?? {});

  const child = spawn(bin, ["--config-file", configFile, "--no-logo"], {
    cwd: baseDir,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  const append = (chunk: Buffer) => {
    log += chunk.toString("utf8");
    if (log.length > LOG_LIMIT) log = log.slice(-LOG_LIMIT / 2);
  };
  child.stdout!.on("data", append);
  child.stderr!.on("data", append);
  let spawnError: Error | undefined;
  child.on("error", (err) => (spawnError = err));
  const pid = child.pid;
  if (pid === undefined) {
    fs.rmSync(baseDir, { recursive: true, force: true });
    throw new Error(`could not spawn ${bin}: ${spawnError?.message ?? "unknown error"}`);
  }
  running.set(pid, { child, baseDir });
  const watchdog = spawnWatchdog(pid, baseDir);

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        if (!(await waitForExit(child, STOP_GRACE_MS))) {
          child.kill("SIGKILL");
          await waitForExit(child, STOP_GRACE_MS);
        }
      }
      running.delete(pid);
      if (watchdog?.pid !== undefined) {
        try {
          process.kill(watchdog.pid, "SIGKILL");
        } catch {
          /* already gone */
        }
      }
      fs.rmSync(baseDir, { recursive: true, force: true });
    })());

  const adminUrl = `http://127.0.0.1:${admin}`;
  const ingressUrl = `http://127.0.0.1:${ingress}`;
  const deadline = Date.now() + (opts.startTimeoutMs ?? 30_000);
  for (;;) {
    if (spawnError || child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(
        `restate-server exited during startup (code ${child.exitCode}, signal ${child.signalCode}` +
          `${spawnError ? `, ${spawnError.message}` : ""}). Log tail:\n${tail(log)}`,
      );
    }
    const ready =
      (await answers(`${adminUrl}/cluster-health`, isCluster(clusterName))) &&
      (await answers(`${adminUrl}/health`)) &&
      (await answers(`${ingressUrl}/restate/health`));
    if (ready) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`restate-server did not become ready within ${opts.startTimeoutMs ?? 30_000} ms. Log tail:\n${tail(log)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return { ingressUrl, adminUrl, pid, baseDir, protocolV7: !!opts.protocolV7, logs: () => log, stop };
}

/** Starts a server; retries (with new ports) if another process grabbed a port between probe and bind. */
export async function startRestateServer(opts: RestateServerOptions = {}): Promise<RestateServer> {
  const bin = restateServerBinary();
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(bin, opts);
    } catch (err) {
      lastError = err;
      if (!/address already in use|AddrInUse|os error 98/i.test(String(err))) throw err;
    }
  }
  throw lastError;
}
