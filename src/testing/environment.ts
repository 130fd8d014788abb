// RestateTestEnvironment: a real restate-server (from npm, fresh data dir, free loopback ports) plus the services
// under test served in-process on Node, registered with the server. No Docker. As the official testcontainers kit:
// services are served over cleartext HTTP/2, bidirectionally; `alwaysReplay` and `disableRetries` set the same
// server settings; `start()` returns once the server answers state queries.
//
//   const env = await RestateTestEnvironment.start({ services: [greeter, counter] });
//   await env.client.serviceClient(greeter).greet("Ada");
//   expect(await env.stateOf(counter, "ada").get("count")).toBe(1);
//   await env.stop();
//
// One environment per test file is the intended use; several may run side by side (vitest workers).
import { listen, type DualProtocolServer } from "../../adapters/node/index.js";
import { connect } from "../clients/ingress.js";
import type { Ingress } from "../clients/types.js";
import type { TypedState, UntypedState } from "../context/context-types.js";
import { createEndpointHandler, type EndpointOptions } from "../endpoint/endpoint.js";
import { ALWAYS_REPLAY_ENV, DISABLE_RETRIES_ENV, RestateContainer, containerEnvironment } from "./container.js";
import { query, registerDeployment, type DeploymentRegistration } from "../local/admin.js";
import { startRestateServer, type RestateServer } from "../local/restate-server.js";
import { startRestateCluster, type ClusterNode, type RestateCluster } from "../local/cluster.js";
import { StateProxy } from "./state-proxy.js";

type FetchFunction = (request: Request, ...extra: any[]) => Promise<Response> | Response;

/** Where the server reaches the endpoint, in the official kit (Docker networking). Here both mean loopback. */
export type ServiceEndpointAccess = "testcontainers" | "docker-host";
/** The server's storage in the official kit. Here the data dir is always a fresh temporary one, removed on stop. */
export type TestEnvironmentStorage = "disk" | "memory";

export interface TestEnvironmentOptions extends Partial<EndpointOptions> {
  /** Definitions made with service()/object()/workflow(), bound to one endpoint. */
  services?: Array<{ name: string }>;
  /**
   * Or a ready fetch handler (`endpoint().bind(…).handler()`, `createEndpointHandler(…)`), served as is over
   * HTTP/1.1 (its protocol mode was fixed when it was built).
   */
  handler?: { fetch: FetchFunction } | FetchFunction;
  /** Replay at every suspension point (restate-server's invoker inactivity timeout 0), to catch non-determinism. */
  alwaysReplay?: boolean;
  /** One attempt per invocation, killed when it fails: failures surface at once instead of being retried. */
  disableRetries?: boolean;
  /** The official kit's container factory: here it must return a {@link RestateContainer}. */
  container?: () => RestateContainer;
  /** Accepted for compatibility: the endpoint is on loopback either way. */
  serviceEndpointAccess?: ServiceEndpointAccess;
  /** Accepted for compatibility: the server's data is temporary either way. */
  storage?: TestEnvironmentStorage;
  /** Start the server with protocol V7 enabled (experimental in 1.7.x). */
  protocolV7?: boolean;
  /** Extra environment for restate-server (e.g. `RESTATE_LOG_FILTER`). */
  serverEnv?: Record<string, string>;
  /** How long restate-server may take to start. Default 30 s. */
  startTimeoutMs?: number;
  /**
   * Run a local cluster of this many restate-server nodes (replicated log and partitions, replication 2) instead of
   * one server; needs `@restatedev/restatectl`. `client` then talks to every node. Default 1.
   */
  nodes?: number;
}

const READY_TIMEOUT_MS = 30_000;

export class RestateTestEnvironment {
  /** A client for the ingress (`perdure/clients`). */
  readonly client: Ingress;

  private constructor(
    private readonly server: Pick<RestateServer, "ingressUrl" | "adminUrl" | "logs" | "stop">,
    private readonly endpoint: DualProtocolServer,
    /** What the server learnt from discovery. */
    readonly deployment: DeploymentRegistration,
    /** The cluster, when started with `nodes` > 1. */
    readonly cluster?: RestateCluster,
  ) {
    this.client = connect({ url: cluster ? cluster.ingressUrls : server.ingressUrl });
  }

  /**
   * Starts restate-server and the endpoint, registers the endpoint, and waits until the server answers state
   * queries. `restateContainerFactory` (as in the official kit) returns a {@link RestateContainer} whose settings
   * the server starts with; it takes precedence over `options.container`, `alwaysReplay` and `disableRetries`.
   */
  static async start(options: TestEnvironmentOptions, restateContainerFactory?: () => RestateContainer): Promise<RestateTestEnvironment> {
    checkCompatOptions(options);
    const handlers = handlersOf(options);
    const nodes = options.nodes ?? 1;
    if (!Number.isInteger(nodes) || nodes < 1) throw new RangeError(`RestateTestEnvironment.start: nodes must be a whole number ≥ 1, got ${nodes}`);
    const serverOptions = {
      protocolV7: options.protocolV7,
      env: { ...serverSettings(options, restateContainerFactory), ...(options.serverEnv ?? {}) },
      startTimeoutMs: options.startTimeoutMs,
    };
    const cluster = nodes > 1 ? await startRestateCluster({ ...serverOptions, nodes }) : undefined;
    const server = cluster ?? (await startRestateServer(serverOptions));
    let endpoint: DualProtocolServer | undefined;
    try {
      endpoint = await listen(handlers.served);
      const useHttp11 = !handlers.h2c;
      const deployment = cluster
        ? await cluster.register(endpoint.url, { useHttp11 })
        : await registerDeployment(server.adminUrl, endpoint.url, { useHttp11 });
      await waitUntilQueryable(server.adminUrl);
      return new RestateTestEnvironment(server, endpoint, deployment, cluster);
    } catch (err) {
      await Promise.allSettled([server.stop(), endpoint?.close()]);
      throw err;
    }
  }

  get ingressUrl(): string {
    return this.server.ingressUrl;
  }

  get adminUrl(): string {
    return this.server.adminUrl;
  }

  /** Where the endpoint under test listens. */
  get endpointUrl(): string {
    return this.endpoint.url;
  }

  /** The ingress URL (name used by the official testcontainers kit). */
  baseUrl(): string {
    return this.server.ingressUrl;
  }

  /** The admin API URL (name used by the official testcontainers kit). */
  adminAPIBaseUrl(): string {
    return this.server.adminUrl;
  }

  /** The cluster's nodes (ingress and admin URL each); a single server has none. */
  get nodes(): readonly ClusterNode[] {
    return this.cluster?.nodes ?? [];
  }

  /** SIGKILLs node `index` (0-based) of the cluster; its data stays for restartNode. */
  killNode(index: number): Promise<void> {
    return this.requireCluster("killNode").killNode(index);
  }

  /** Starts a killed node again (same data, ports, name) and waits until every partition has a leader. */
  restartNode(index: number): Promise<void> {
    return this.requireCluster("restartNode").restartNode(index);
  }

  private requireCluster(what: string): RestateCluster {
    if (!this.cluster) throw new Error(`${what} needs a cluster: start the environment with { nodes: 3 }`);
    return this.cluster;
  }

  /** The server's output so far, for diagnosing a failing test. */
  serverLogs(): string {
    return this.server.logs();
  }

  /** State of one key of a virtual object or workflow, typed by `TState` when given. */
  stateOf<TState extends TypedState = UntypedState>(definition: { name: string }, key: string): StateProxy<TState> {
    const name = (definition as { name?: unknown } | null)?.name;
    if (typeof name !== "string" || name.length === 0) throw new TypeError("stateOf(definition, key) needs an object or workflow definition");
    if (typeof key !== "string") throw new TypeError("stateOf(definition, key): the key must be a string");
    return new StateProxy<TState>(this.server.adminUrl, name, key);
  }

  /** Stops the endpoint and the server and removes the server's data. Safe to call twice. */
  async stop(): Promise<void> {
    await Promise.allSettled([this.endpoint.close(), this.server.stop()]);
  }
}

/** The restate-server environment for the switches and the container factory, as the official kit maps them. */
function serverSettings(options: TestEnvironmentOptions, factory: (() => RestateContainer) | undefined): Record<string, string> {
  const made = factory ?? options.container;
  if (made !== undefined) {
    if (typeof made !== "function") throw new TypeError("RestateTestEnvironment.start: the container factory must be a function");
    return containerEnvironment(made());
  }
  const container = new RestateContainer();
  if (options.alwaysReplay) container.alwaysReplay();
  if (options.disableRetries) container.disableRetries();
  return container.environment();
}

function checkCompatOptions(options: TestEnvironmentOptions): void {
  if (typeof options !== "object" || options === null) throw new TypeError("RestateTestEnvironment.start needs options: { services: [...] }");
  const access = options.serviceEndpointAccess;
  if (access !== undefined && access !== "testcontainers" && access !== "docker-host") {
    throw new TypeError(`serviceEndpointAccess must be "testcontainers" or "docker-host", got ${JSON.stringify(access)}`);
  }
  if (options.storage !== undefined && options.storage !== "disk" && options.storage !== "memory") {
    throw new TypeError(`storage must be "disk" or "memory", got ${JSON.stringify(options.storage)}`);
  }
}

/**
 * Right after start, the server's SQL introspection may still fail (`node lookup for partition 0 failed`) until its
 * partitions are up. Poll a query on the state table until it succeeds.
 */
async function waitUntilQueryable(adminUrl: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    try {
      await query(adminUrl, "SELECT count(1) FROM state");
      await query(adminUrl, "SELECT count(1) FROM sys_invocation");
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`restate-server did not answer state queries within ${READY_TIMEOUT_MS} ms: ${err instanceof Error ? err.message : err}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * What to serve: for `services`, a request-response handler for HTTP/1.1 and a bidirectional one for h2c (the server
 * is registered over h2c, as the official kit does); a ready `handler` is served as it is, over HTTP/1.1.
 */
function handlersOf(options: TestEnvironmentOptions): { served: { fetchHandlers(): { http1: FetchFunction; http2: FetchFunction } } | { fetch: FetchFunction } | FetchFunction; h2c: boolean } {
  if (options.handler !== undefined && options.services !== undefined) {
    throw new TypeError("RestateTestEnvironment.start: give either `services` or `handler`, not both");
  }
  if (options.handler !== undefined) return { served: options.handler, h2c: false };
  if (!options.services || options.services.length === 0) {
    throw new TypeError("RestateTestEnvironment.start needs { services: [...] } (or { handler })");
  }
  const { handler: _h, alwaysReplay: _a, disableRetries: _d, container: _c, serviceEndpointAccess: _s, storage: _st, protocolV7: _p, serverEnv: _e, startTimeoutMs: _t, nodes: _n, ...endpointOptions } = options;
  const make = (bidirectional: boolean) => createEndpointHandler({ ...endpointOptions, services: options.services!, bidirectional });
  const handlers = { http1: make(false), http2: make(true) };
  return { served: { fetchHandlers: () => handlers }, h2c: true };
}
