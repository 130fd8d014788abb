// RestateTestEnvironment: a real restate-server (from npm, fresh data dir, free loopback ports) plus the services
// under test served in-process on Node HTTP/1.1, registered as a request-response deployment. No Docker.
//
//   const env = await RestateTestEnvironment.start({ services: [greeter, counter] });
//   await env.client.serviceClient(greeter).greet("Ada");
//   expect(await env.stateOf(counter, "ada").get("count")).toBe(1);
//   await env.stop();
//
// One environment per test file is the intended use; several may run side by side (vitest workers).
import { serve, type RunningServer } from "../../adapters/node/index.js";
import { connect } from "../clients/ingress.js";
import type { Ingress } from "../clients/types.js";
import { createEndpointHandler } from "../endpoint/endpoint.js";
import type { DefaultServiceOptions } from "../endpoint/service-options.js";
import { json } from "../serde/json.js";
import type { Serde } from "../serde/types.js";
import { readState, registerDeployment, writeState, type DeploymentRegistration } from "./admin.js";
import { startRestateServer, type RestateServer } from "./restate-server.js";
import { startRestateCluster, type ClusterNode, type RestateCluster } from "./cluster.js";

type FetchFunction = (request: Request, ...extra: any[]) => Promise<Response> | Response;

export interface TestEnvironmentOptions {
  /** Definitions made with service()/object()/workflow(), bound to one endpoint. */
  services?: Array<{ name: string }>;
  /** Or a ready fetch handler (`endpoint().bind(…).handler()`, `createEndpointHandler(…)`), served as is. */
  handler?: { fetch: FetchFunction } | FetchFunction;
  /** Defaults for every service of `services`. */
  defaultServiceOptions?: DefaultServiceOptions;
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

/** Reads and writes the state of one object or workflow key through the admin API. */
export interface StateProxy {
  /** The value of `name` (JSON unless `serde` says otherwise), or null when it is not set. */
  get<T>(name: string, serde?: Serde<T>): Promise<T | null>;
  /** Every entry, JSON-decoded. */
  getAll(): Promise<Record<string, unknown>>;
  keys(): Promise<string[]>;
  /** Sets one entry (the other entries stay). Wait for the object to be idle: this replaces the whole state. */
  set<T>(name: string, value: T, serde?: Serde<T>): Promise<void>;
  /** Replaces the whole state of the key with these JSON-encoded entries. */
  setAll(values: Record<string, unknown>): Promise<void>;
}

const STATE_WRITE_TIMEOUT_MS = 10_000;

export class RestateTestEnvironment {
  /** A client for the ingress (`perdure/clients`). */
  readonly client: Ingress;

  private constructor(
    private readonly server: Pick<RestateServer, "ingressUrl" | "adminUrl" | "logs" | "stop">,
    private readonly endpoint: RunningServer,
    /** What the server learnt from discovery. */
    readonly deployment: DeploymentRegistration,
    /** The cluster, when started with `nodes` > 1. */
    readonly cluster?: RestateCluster,
  ) {
    this.client = connect({ url: cluster ? cluster.ingressUrls : server.ingressUrl });
  }

  /** Starts restate-server and the endpoint, and registers the endpoint. */
  static async start(options: TestEnvironmentOptions): Promise<RestateTestEnvironment> {
    const handler = handlerOf(options);
    const nodes = options.nodes ?? 1;
    if (!Number.isInteger(nodes) || nodes < 1) throw new RangeError(`RestateTestEnvironment.start: nodes must be a whole number ≥ 1, got ${nodes}`);
    const serverOptions = { protocolV7: options.protocolV7, env: options.serverEnv, startTimeoutMs: options.startTimeoutMs };
    const cluster = nodes > 1 ? await startRestateCluster({ ...serverOptions, nodes }) : undefined;
    const server = cluster ?? (await startRestateServer(serverOptions));
    let endpoint: RunningServer | undefined;
    try {
      endpoint = await serve(handler);
      const deployment = cluster
        ? await cluster.register(endpoint.url, { useHttp11: true })
        : await registerDeployment(server.adminUrl, endpoint.url, { useHttp11: true });
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

  /** State of one key of a virtual object or workflow. */
  stateOf(definition: { name: string }, key: string): StateProxy {
    const service = definition.name;
    const admin = this.server.adminUrl;
    const read = () => readState(admin, service, key);
    const replace = async (next: Map<string, Uint8Array>) => {
      await writeState(admin, service, key, next);
      // The admin API applies the write asynchronously (202): wait until a read sees it.
      const deadline = Date.now() + STATE_WRITE_TIMEOUT_MS;
      while (!sameState(await read(), next)) {
        if (Date.now() > deadline) throw new Error(`the new state of ${service}/${key} did not become visible within ${STATE_WRITE_TIMEOUT_MS} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    return {
      async get<T>(name: string, serde?: Serde<T>): Promise<T | null> {
        const bytes = (await read()).get(name);
        return bytes === undefined ? null : (serde ?? (json as Serde<T>)).deserialize(bytes);
      },
      async getAll() {
        const out: Record<string, unknown> = {};
        for (const [name, bytes] of await read()) out[name] = json.deserialize(bytes);
        return out;
      },
      async keys() {
        return [...(await read()).keys()].sort();
      },
      async set<T>(name: string, value: T, serde?: Serde<T>) {
        const next = await read();
        next.set(name, (serde ?? (json as Serde<T>)).serialize(value));
        await replace(next);
      },
      async setAll(values: Record<string, unknown>) {
        await replace(new Map(Object.entries(values).map(([name, value]) => [name, json.serialize(value)])));
      },
    };
  }

  /** Stops the endpoint and the server and removes the server's data. Safe to call twice. */
  async stop(): Promise<void> {
    await Promise.allSettled([this.endpoint.close(), this.server.stop()]);
  }
}

function handlerOf(options: TestEnvironmentOptions): { fetch: FetchFunction } | FetchFunction {
  if (options.handler !== undefined && options.services !== undefined) {
    throw new TypeError("RestateTestEnvironment.start: give either `services` or `handler`, not both");
  }
  if (options.handler !== undefined) return options.handler;
  if (!options.services || options.services.length === 0) {
    throw new TypeError("RestateTestEnvironment.start needs { services: [...] } (or { handler })");
  }
  return createEndpointHandler({ services: options.services, defaultServiceOptions: options.defaultServiceOptions });
}

function sameState(a: Map<string, Uint8Array>, b: Map<string, Uint8Array>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (w === undefined || w.length !== v.length || w.some((x, i) => x !== v[i])) return false;
  }
  return true;
}
