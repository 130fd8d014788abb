// Starts a real restate-server (the binary of the npm package @restatedev/restate-server) on loopback, for tests
// (fresh temporary data dir, free ports, removed on stop) and for `perdure dev` (a kept data dir, chosen ports).
// Node-only. A watchdog and an exit hook make sure no server outlives the process that started it.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { guardChild } from "./child-lifetime.js";
import { freePort, isPortFree, PortInUseError } from "./ports.js";

export { freePort, isPortFree, PortInUseError };

export interface RestateServerPorts {
  ingress: number;
  admin: number;
  /** The node's internal port (cluster control plane and metrics). */
  node: number;
}

export interface RestateServerOptions {
  /** Enable service protocol V7 (experimental in 1.7.x; also enables vqueues). */
  protocolV7?: boolean;
  /** Extra environment for the server, e.g. `RESTATE_LOG_FILTER`. Inherited `RESTATE_*` variables are dropped. */
  env?: Record<string, string>;
  /** How long to wait for admin and ingress to answer. Default 30 s. */
  startTimeoutMs?: number;
  /** Keep the server's data here (created if missing, kept on stop). Default: a fresh temporary dir, removed on stop. */
  dataDir?: string;
  /** Ports to bind (127.0.0.1). Unset ones are picked free. A busy port given here is an error. */
  ports?: Partial<RestateServerPorts>;
  /** Cluster name; default unique per server (a fixed one for a kept data dir, which must keep its name). */
  clusterName?: string;
  /** Path of the restate-server binary; default: the one from `@restatedev/restate-server-<platform>-<arch>`. */
  binary?: string;
  /** Extra TOML appended to the generated configuration. */
  extraConfig?: string;
  /** Node name (default "n1"); every node of a cluster needs its own. */
  nodeName?: string;
  /** Extra top-level TOML keys, placed before the first [table] (e.g. `auto-provision`, `default-replication`). */
  topLevelConfig?: string;
  /**
   * Request identity v1: an Ed25519 private key (PKCS#8 PEM). The server then signs every request it sends to
   * deployments (`[worker.invoker] request-identity-private-key-pem-file`, the key written into the base dir).
   */
  requestIdentityPrivateKeyPem?: string;
  /** Serve the server's web UI at `<admin>/ui/` (default off: tests do not need it). */
  webUi?: boolean;
}

export interface RestateServer {
  ingressUrl: string;
  adminUrl: string;
  ports: RestateServerPorts;
  pid: number;
  /** Where the configuration and data live. */
  baseDir: string;
  /** Everything the server printed so far (stdout + stderr, bounded). */
  logs(): string;
  /** SIGTERM, then SIGKILL after a grace period; removes a temporary data dir. Safe to call twice. */
  stop(): Promise<void>;
  /** Resolves when the server exits (whatever the reason), with its exit code or signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const STOP_GRACE_MS = 5_000;
const LOG_LIMIT = 2_000_000;

/** Path of the restate-server binary, looked up from perdure's install and from the current project. */
export function restateServerBinary(): string {
  const pkg = `@restatedev/restate-server-${process.platform}-${process.arch}`;
  const bases = [import.meta.url, path.join(process.cwd(), "package.json")];
  for (const base of bases) {
    try {
      const pkgJson = createRequire(base).resolve(`${pkg}/package.json`);
      const bin = path.join(path.dirname(pkgJson), "bin", "restate-server");
      if (fs.existsSync(bin)) return bin;
    } catch {
      /* not installed there */
    }
  }
  throw new Error(
    `restate-server is not installed: add it with \`npm install --save-dev @restatedev/restate-server\` ` +
      `(it ships binaries for linux and darwin, x64 and arm64; looked for ${pkg})`,
  );
}

async function choosePorts(wanted: Partial<RestateServerPorts>): Promise<RestateServerPorts> {
  const taken = new Set<number>();
  const out: Partial<RestateServerPorts> = {};
  for (const name of ["ingress", "admin", "node"] as const) {
    const port = wanted[name];
    if (port === undefined) continue;
    if (!(await isPortFree(port))) throw new PortInUseError(port, `restate-server ${name} port`);
    out[name] = port;
    taken.add(port);
  }
  for (const name of ["ingress", "admin", "node"] as const) {
    if (out[name] !== undefined) continue;
    let port = await freePort();
    while (taken.has(port)) port = await freePort();
    out[name] = port;
    taken.add(port);
  }
  return out as RestateServerPorts;
}

function configToml(dataDir: string, clusterName: string, ports: RestateServerPorts, extra: string | undefined, opts: RestateServerOptions = {}): string {
  // Every listener the server opens is named here and bound to loopback (1.7.12 opens exactly these three TCP
  // ports; metrics are served on the node port). Unix sockets live inside the data dir.
  return [
    `cluster-name = ${JSON.stringify(clusterName)}`,
    `node-name = ${JSON.stringify(opts.nodeName ?? "n1")}`,
    `base-dir = ${JSON.stringify(dataDir)}`,
    `bind-address = "127.0.0.1:${ports.node}"`,
    `advertised-address = "http://127.0.0.1:${ports.node}/"`,
    `disable-telemetry = true`,
    `log-disable-ansi-codes = true`,
    `log-format = "compact"`,
    // Fewer partitions: faster start, less memory when several servers run side by side.
    `default-num-partitions = 4`,
    `rocksdb-total-memory-size = "256 MiB"`,
    opts.topLevelConfig ?? "",
    `[worker]`,
    `rule-book-poll-interval = "500ms"`,
    `[admin]`,
    `bind-address = "127.0.0.1:${ports.admin}"`,
    `disable-web-ui = ${opts.webUi !== true}`,
    `[admin.query-engine]`,
    `memory-size = "128 MiB"`,
    `[ingress]`,
    `bind-address = "127.0.0.1:${ports.ingress}"`,
    extra ?? "",
    ``,
  ].join("\n");
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

export function tail(text: string, lines = 60): string {
  return text.split("\n").slice(-lines).join("\n");
}

async function startOnce(bin: string, opts: RestateServerOptions): Promise<RestateServer> {
  const tempDir = opts.dataDir === undefined ? fs.mkdtempSync(path.join(os.tmpdir(), "perdure-rs-")) : undefined;
  const baseDir = opts.dataDir ?? tempDir!;
  fs.mkdirSync(baseDir, { recursive: true });
  const ports = await choosePorts(opts.ports ?? {});
  const configFile = path.join(baseDir, "restate.toml");
  // Unique by default: readiness checks it, so a port taken over by another server is never mistaken for ours.
  const clusterName = opts.clusterName ?? `perdure-${path.basename(baseDir)}-${process.pid}`;
  let extra = opts.extraConfig ?? "";
  if (opts.requestIdentityPrivateKeyPem !== undefined) {
    const pemFile = path.join(baseDir, "request-identity.pem");
    fs.writeFileSync(pemFile, opts.requestIdentityPrivateKeyPem, { mode: 0o600 });
    extra += `\n[worker.invoker]\nrequest-identity-private-key-pem-file = ${JSON.stringify(pemFile)}\n`;
  }
  fs.writeFileSync(configFile, configToml(path.join(baseDir, "data"), clusterName, ports, extra, opts));

  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("RESTATE_")) env[k] = v;
  if (opts.protocolV7) {
    env.RESTATE_EXPERIMENTAL_ENABLE_PROTOCOL_V7 = "true";
    env.RESTATE_EXPERIMENTAL_ENABLE_VQUEUES = "true";
  }
  Object.assign(env, opts.env ?? {});

  const child = spawn(bin, ["--config-file", configFile, "--no-logo"], { cwd: baseDir, env, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  const append = (chunk: Buffer) => {
    log += chunk.toString("utf8");
    if (log.length > LOG_LIMIT) log = log.slice(-LOG_LIMIT / 2);
  };
  child.stdout!.on("data", append);
  child.stderr!.on("data", append);
  let spawnError: Error | undefined;
  child.on("error", (err) => (spawnError = err));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const pid = child.pid;
  if (pid === undefined) {
    if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true });
    await new Promise((r) => setTimeout(r, 0));
    throw new Error(`could not start ${bin}: ${spawnError?.message ?? "unknown error"}`);
  }
  const { stop } = guardChild(child, { graceMs: STOP_GRACE_MS, tempDir, gentleWatchdog: true });

  const adminUrl = `http://127.0.0.1:${ports.admin}`;
  const ingressUrl = `http://127.0.0.1:${ports.ingress}`;
  const timeoutMs = opts.startTimeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
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
      throw new Error(`restate-server did not become ready within ${timeoutMs} ms. Log tail:\n${tail(log)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { ingressUrl, adminUrl, ports, pid, baseDir, logs: () => log, stop, exited };
}

/** Starts a server; retries with new free ports if another process grabbed one between the probe and the bind. */
export async function startRestateServer(opts: RestateServerOptions = {}): Promise<RestateServer> {
  const bin = opts.binary ?? restateServerBinary();
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(bin, opts);
    } catch (err) {
      lastError = err;
      const fixedPorts = opts.ports !== undefined && Object.values(opts.ports).some((p) => p !== undefined);
      if (fixedPorts || !/address already in use|AddrInUse|os error 98/i.test(String(err))) throw err;
    }
  }
  throw lastError;
}
