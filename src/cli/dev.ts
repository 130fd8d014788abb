// `perdure dev` as a library: restate-server from npm (data in .perdure/ of the project), the user's entry on the
// chosen runtime as a child process, registration (use_http_11 when the mode or the runtime needs it), and a watcher
// that restarts the endpoint and re-registers it (force) after a change. `stop()` ends every child process.
import * as fs from "node:fs";
import * as path from "node:path";
import { registerDeployment, AdminApiError } from "../local/admin.js";
import { isPortFree, freePort, PortInUseError, startRestateServer, tail, type RestateServer } from "../local/restate-server.js";
import type { Mode, Runtime } from "./args.js";
import { startEndpointProcess, type EndpointProcess } from "./endpoint-process.js";
import { startDevCluster, type DevServer } from "./dev-cluster.js";
import { startLambdaTarget, type LambdaTarget } from "./lambda-target.js";
import { registerLambdaDeployment } from "../testing/lambda/register.js";
import { esbuildUrl } from "./typescript.js";
import { curlLine, describeServices, readManifest, type Manifest } from "./manifest.js";
import { launchPlan } from "./runtimes.js";
import { watchFolder, type Watcher } from "./watch.js";
import { startMonitor, type Monitor, type MonitorOptions } from "./monitor/monitor.js";

export interface DevOptions {
  entry: string;
  runtime?: Runtime;
  mode?: Mode;
  port?: number;
  ingressPort?: number;
  adminPort?: number;
  dataDir?: string;
  /** Run a local cluster of this many restate-server nodes (data in .perdure/cluster). Default 1. */
  nodes?: number;
  watch?: boolean;
  /** Project folder (default: the current directory); `.perdure/` is created here. */
  cwd?: string;
  /** Lines for the user (status, the endpoint's own output). Default: console.log. */
  log?: (line: string) => void;
  /** Called after each restart triggered by a change (or after a failed one, with the error). */
  onReload?: (result: { ok: true; session: DevSession } | { ok: false; error: Error }) => void;
  /** The live invocation view (see monitor/monitor.ts); `false` turns it off. Lines go to `log`. */
  invocations?: Omit<MonitorOptions, "adminUrl" | "ingressUrl" | "log"> | false;
}

/** The lines an endpoint logs for every attempt (official texts): "Starting invocation.", "Invocation completed successfully." … */
const LIFECYCLE_LINE = /\] INFO: (Starting invocation|Replaying invocation|Invocation completed successfully|Invocation suspended)/;

export interface DevSession {
  ingressUrl: string;
  adminUrl: string;
  /** The server's web UI (invocations, journals, services). */
  uiUrl: string;
  readonly endpointUrl: string;
  readonly endpointPid: number;
  serverPid: number;
  runtime: Runtime;
  /** The protocol mode the endpoint announced. */
  readonly mode: "request-response" | "bidirectional";
  readonly services: string[];
  readonly curl: string | undefined;
  /** Registrations so far (1 after start, +1 per successful reload). */
  readonly registrations: number;
  /** Restarts the endpoint and re-registers it now. */
  reload(): Promise<void>;
  /** Stops the watcher, the endpoint and restate-server (in that order). Safe to call twice. */
  stop(): Promise<void>;
  /** Resolves if restate-server exits on its own (the session is then over). */
  serverExited: Promise<void>;
}

/** A problem the user can fix; the message says how. */
export class DevError extends Error {
  override name = "DevError";
}

const DEFAULT_PORTS = { endpoint: 9080, ingress: 8080, admin: 9070 };

/** The wanted port when given (it must be free), else the default when free, else any free port. */
async function pickPort(explicit: number | undefined, fallback: number, what: string): Promise<number> {
  if (explicit !== undefined) {
    if (!(await isPortFree(explicit))) throw new PortInUseError(explicit, what);
    return explicit;
  }
  return (await isPortFree(fallback)) ? fallback : freePort();
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function startDev(options: DevOptions): Promise<DevSession> {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const log = options.log ?? ((line: string) => console.log(line));
  const runtime = options.runtime ?? "node";
  const entry = path.resolve(cwd, options.entry);
  if (!fs.existsSync(entry)) throw new DevError(`entry file ${options.entry} does not exist (looked at ${entry})`);
  if (!fs.statSync(entry).isFile()) throw new DevError(`${options.entry} is not a file: give the module that default-exports your endpoint`);

  const stateDir = path.join(cwd, ".perdure");
  const sessionFile = path.join(stateDir, "dev.json");
  const previous = readSessionFile(sessionFile);
  if (previous && pidAlive(previous.pid) && previous.pid !== process.pid) {
    throw new DevError(`another \`perdure dev\` (pid ${previous.pid}) is running in ${cwd}; stop it first`);
  }
  // Fails early, before anything starts, when the runtime is not installed.
  if (runtime === "lambda") {
    if (options.mode === "bidi") throw new DevError("AWS Lambda serves request-response only (it buffers requests and responses): drop --mode bidi");
  } else launchPlan(runtime, entry, options.mode, 0, cwd);

  const endpointPort = await pickPort(options.port, DEFAULT_PORTS.endpoint, "the endpoint port");
  const ingress = await pickPort(options.ingressPort, DEFAULT_PORTS.ingress, "the ingress port");
  const admin = await pickPort(options.adminPort, DEFAULT_PORTS.admin, "the admin port");
  if (new Set([endpointPort, ingress, admin]).size < 3) throw new DevError(`the endpoint, ingress and admin ports must differ (got ${endpointPort}, ${ingress}, ${admin})`);

  fs.mkdirSync(stateDir, { recursive: true });
  const nodes = options.nodes ?? 1;
  // A cluster's nodes would each need the Lambda client settings; one node is what a local Lambda loop needs.
  if (nodes > 1 && runtime === "lambda") throw new DevError("--runtime lambda runs against one restate-server: drop --nodes");
  const dataDir = path.resolve(cwd, options.dataDir ?? path.join(stateDir, nodes > 1 ? "cluster" : "restate"));
  // --runtime lambda: the endpoint port is the Lambda emulator's; restate-server calls it through its Lambda client.
  const lambda: LambdaTarget | undefined =
    runtime === "lambda" ? await startLambdaTarget({ entry, cwd, port: endpointPort, esbuildUrl: esbuildUrl(cwd), log: (line) => log(`[lambda] ${line}`) }) : undefined;
  const env = lambda?.serverEnv;
  let server: RestateServer | DevServer;
  if (nodes > 1) {
    server = await startDevCluster({ nodes, dataDir, ingress, admin });
    for (const n of server.cluster.nodes) log(`  ${n.name}  ingress ${n.ingressUrl}  admin ${n.adminUrl}  node ${n.address}`);
  } else try {
    server = await startRestateServer({ dataDir, clusterName: "perdure-dev", ports: { ingress, admin }, env, webUi: true });
  } catch (err) {
    // A default port taken between the check and the bind (another process starting at the same time): free ports.
    const explicit = options.ingressPort !== undefined || options.adminPort !== undefined;
    if (explicit || !/address already in use|AddrInUse|os error 98/i.test(String(err))) {
      await lambda?.stop();
      throw err;
    }
    server = await startRestateServer({ dataDir, clusterName: "perdure-dev", ports: { ingress: await freePort(), admin: await freePort() }, env, webUi: true }).catch(
      async (again: unknown) => {
        await lambda?.stop();
        throw again;
      },
    );
  }

  let endpoint: EndpointProcess | undefined;
  let manifest: Manifest | undefined;
  let registrations = 0;
  let watcher: Watcher | undefined;
  let stopped = false;
  let monitor: Monitor | undefined;
  const quietLifecycle = options.invocations !== false && options.invocations?.verbosity !== "verbose";

  const launch = async (): Promise<EndpointProcess> => {
    if (lambda) {
      await lambda.publish();
      return lambdaVersionProcess(lambda);
    }
    const plan = launchPlan(runtime, entry, options.mode, endpointPort, cwd);
    const started = await startEndpointProcess({
      plan,
      cwd,
      onLine: (line) => {
        // The endpoint's per-attempt lifecycle lines (INFO) would print a line per healthy call; the invocation view
        // above already reports what matters, so they show only with --verbose (or with the view off).
        if (quietLifecycle && LIFECYCLE_LINE.test(line)) return;
        log(`[${runtime}] ${line}`);
      },
    });
    // An entry that starts its own server chooses its port (it may read $PORT); an explicit --port must hold.
    if (options.port !== undefined && started.port !== options.port) {
      await started.stop();
      throw new DevError(`--port ${options.port}: the entry started its own server on port ${started.port}; make it listen on process.env.PORT, or drop --port`);
    }
    return started;
  };

  const register = async (ep: EndpointProcess, force: boolean) => {
    if (lambda?.current) {
      manifest = await lambda.manifest(lambda.current);
      try {
        await registerLambdaDeployment(server.adminUrl, lambda.current.versionArn, { force });
      } catch (err) {
        if (err instanceof AdminApiError) throw new DevError(`restate-server could not register ${lambda.current.versionArn}: ${err.reason}`);
        throw err;
      }
      registrations++;
      return;
    }
    manifest = await readManifest(ep.url);
    const bidi = manifest ? manifest.protocolMode === "BIDI_STREAM" : options.mode === "bidi";
    const plan = launchPlan(runtime, entry, options.mode, endpointPort, cwd);
    // Request-response works over HTTP/1.1 everywhere; bidirectional needs h2c except on Bun (full-duplex HTTP/1.1).
    const useHttp11 = !bidi || plan.http1Only;
    try {
      await registerDeployment(server.adminUrl, ep.url, { useHttp11, force });
    } catch (err) {
      if (err instanceof AdminApiError) throw new DevError(`restate-server could not register ${ep.url}: ${err.reason}`);
      throw err;
    }
    registrations++;
  };

  const stopAll = async () => {
    stopped = true;
    monitor?.stop();
    watcher?.close();
    await endpoint?.stop();
    await server.stop();
    await lambda?.stop();
    removeSessionFile(sessionFile);
  };

  try {
    endpoint = await launch();
    await register(endpoint, true);
  } catch (err) {
    await stopAll();
    throw err;
  }

  let reloading: Promise<void> | undefined;
  let again = false;
  let stopPromise: Promise<void> | undefined;
  const reloadOnce = async () => {
    await endpoint?.stop();
    endpoint = undefined;
    if (stopped) return;
    endpoint = await launch();
    monitor?.noteReload();
    await register(endpoint, true);
    writeSessionFile(sessionFile, session);
  };
  const reload = (): Promise<void> => {
    if (reloading) {
      again = true;
      return reloading;
    }
    reloading = (async () => {
      try {
        do {
          again = false;
          await reloadOnce();
        } while (again && !stopped);
      } finally {
        reloading = undefined;
      }
    })();
    return reloading;
  };

  const session: DevSession = {
    ingressUrl: server.ingressUrl,
    adminUrl: server.adminUrl,
    uiUrl: `${server.adminUrl}/ui/`,
    get endpointUrl() {
      if (lambda?.current) return lambda.current.versionArn;
      return endpoint?.url ?? `http://127.0.0.1:${endpointPort}`;
    },
    get endpointPid() {
      return endpoint?.pid ?? -1;
    },
    serverPid: server.pid,
    runtime,
    get mode() {
      return manifest?.protocolMode === "BIDI_STREAM" || (!manifest && options.mode === "bidi") ? "bidirectional" : "request-response";
    },
    get services() {
      return manifest ? describeServices(manifest) : [];
    },
    get curl() {
      return manifest ? curlLine(server.ingressUrl, manifest) : undefined;
    },
    get registrations() {
      return registrations;
    },
    reload,
    stop: () => (stopPromise ??= stopAll()),
    serverExited: server.exited.then(() => undefined),
  };
  writeSessionFile(sessionFile, session);
  if (options.invocations !== false) {
    monitor = startMonitor({ adminUrl: server.adminUrl, ingressUrl: server.ingressUrl, log, cwd, ...options.invocations });
  }

  if (options.watch !== false) {
    const watched = path.dirname(entry);
    watcher = watchFolder(watched, () => {
      if (stopped) return;
      reload().then(
        () => options.onReload?.({ ok: true, session }),
        (err: unknown) => {
          const error = err instanceof Error ? err : new Error(String(err));
          if (!stopped) options.onReload?.({ ok: false, error });
        },
      );
    });
  }
  void server.exited.then(() => {
    if (!stopped) log(`restate-server exited unexpectedly. Its last lines:\n${tail(server.logs(), 30)}`);
  });
  return session;
}

interface SessionFile {
  pid: number;
  server: { pid: number; ingressUrl: string; adminUrl: string };
  endpoint: { pid: number; url: string };
}

function writeSessionFile(file: string, session: DevSession): void {
  const content: SessionFile = {
    pid: process.pid,
    server: { pid: session.serverPid, ingressUrl: session.ingressUrl, adminUrl: session.adminUrl },
    endpoint: { pid: session.endpointPid, url: session.endpointUrl },
  };
  fs.writeFileSync(file, JSON.stringify(content, null, 2) + "\n");
}

function readSessionFile(file: string): SessionFile | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as SessionFile;
  } catch {
    return undefined;
  }
}

function removeSessionFile(file: string): void {
  try {
    fs.rmSync(file, { force: true });
  } catch {
    /* already gone */
  }
}

/** A published Lambda version seen as the session's endpoint: it lives in the emulator (in this process). */
function lambdaVersionProcess(lambda: LambdaTarget): EndpointProcess {
  return {
    pid: process.pid,
    port: lambda.emulator.port,
    url: lambda.emulator.url,
    logs: () => "",
    // The next version replaces it; the emulator ends idle environments of older versions itself.
    stop: async () => {},
    exited: new Promise(() => {}),
  };
}

export type { RestateServer };
