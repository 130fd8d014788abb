// The Node flavour of the endpoint API, shaped like `@restatedev/restate-sdk`'s Node entry point: the configuration
// methods of every perdure builder (EndpointBuilderBase) plus `listen(port)`, `http1Handler()`, `http2Handler()` and
// a combined `handler()`, and a `createEndpointHandler` that returns a Node request listener. Unless told otherwise, HTTP/2 requests are served
// bidirectionally and HTTP/1.1 requests request-response: the discovery answer follows the version it is asked over.
import type * as http from "node:http";
import type * as http2 from "node:http2";
import * as core from "../../src/index.js";
import { EndpointBuilderBase, type EndpointBuilderMethods } from "../../src/endpoint/adapter-api.js";
import { createHttp1Listener } from "./http1.js";
import { createHttp2RequestListener } from "./http2.js";
import { listen, type DualProtocolServer, type PerVersionHandlers } from "./listen.js";

type FetchHandler = ReturnType<typeof core.createEndpointHandler>;

export interface NodeEndpointOptions extends core.EndpointOptions {
  /**
   * `undefined` (default): bidirectional over HTTP/2, request-response over HTTP/1.1. `true`/`false`: that mode for
   * every request.
   */
  bidirectional?: boolean;
}

export interface ModeOption {
  bidirectional?: boolean;
}

/** Serves HTTP/1.1 (`http.createServer`) and HTTP/2 (`http2.createServer`, compatibility API) requests alike. */
export interface NodeRequestListener {
  (request: http.IncomingMessage, response: http.ServerResponse): void;
  (request: http2.Http2ServerRequest, response: http2.Http2ServerResponse): void;
}

/** A Node request listener that is also usable as a fetch handler (`{ fetch }`, request-response unless forced). */
export type NodeHandler = NodeRequestListener & { fetch: FetchHandler };

export interface ListenExtras {
  /** Default: all interfaces, like the official SDK. Pass "127.0.0.1" to stay on loopback. */
  hostname?: string | null;
}

/** perdure/node's builder: the shared configuration methods plus Node servers and listeners. */
export interface NodeEndpoint extends EndpointBuilderMethods<NodeEndpoint> {
  /** HTTP/1.1 and HTTP/2 (cleartext, prior knowledge) on one port. Port: argument, else `$PORT`, else 9080. */
  listen(port?: number, extras?: ListenExtras): Promise<number>;
  /** Stops every server this endpoint's `listen()` started. */
  close(): Promise<void>;
  /** For `http.createServer(…)`; request-response unless `bidirectional: true`. */
  http1Handler(options?: ModeOption): (request: http.IncomingMessage, response: http.ServerResponse) => void;
  /** For `http2.createServer(…)` / `createSecureServer`; bidirectional unless `bidirectional: false`. */
  http2Handler(options?: ModeOption): (request: http2.Http2ServerRequest, response: http2.Http2ServerResponse) => void;
  /** For a server that takes both versions (`http2.createSecureServer({ allowHTTP1: true }, …)`); also has `.fetch`. */
  handler(options?: ModeOption): NodeHandler;
  /** The fetch handlers `listen()` uses, one per HTTP version. */
  fetchHandlers(options?: ModeOption): PerVersionHandlers & { http1: FetchHandler; http2: FetchHandler };
}

function defaultPort(): number {
  const fromEnv = process.env.PORT;
  if (fromEnv === undefined || fromEnv === "") return 9080;
  const port = Number(fromEnv);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`PORT='${fromEnv}' is not a port number`);
  return port;
}

/** A Node listener that sends each request to the fetch handler of its HTTP version. */
function combinedListener(handlers: { http1: FetchHandler; http2: FetchHandler }, fetchDefault: FetchHandler): NodeHandler {
  const onHttp1 = createHttp1Listener(handlers.http1);
  const onHttp2 = createHttp2RequestListener(handlers.http2);
  const listener = (request: http.IncomingMessage | http2.Http2ServerRequest, response: http.ServerResponse | http2.Http2ServerResponse) => {
    if (request.httpVersionMajor >= 2) onHttp2(request as http2.Http2ServerRequest);
    else onHttp1(request as http.IncomingMessage, response as http.ServerResponse);
  };
  return Object.assign(listener as NodeRequestListener, { fetch: fetchDefault });
}

/** `.bidirectional(set)` forces one protocol mode for every request; by default it follows the HTTP version. */
class NodeEndpointBuilder extends EndpointBuilderBase implements NodeEndpoint {
  private readonly servers = new Set<DualProtocolServer>();

  fetchHandlers(options: ModeOption = {}): { http1: FetchHandler; http2: FetchHandler } {
    return handlersFor({ ...this.config, bidirectional: options.bidirectional ?? this.config.bidirectional });
  }

  async listen(port?: number, extras: ListenExtras = {}): Promise<number> {
    const server = await listen(this, port ?? defaultPort(), {
      hostname: extras.hostname === undefined ? null : extras.hostname,
    });
    this.servers.add(server);
    return server.port;
  }

  async close(): Promise<void> {
    const servers = [...this.servers];
    this.servers.clear();
    await Promise.all(servers.map((s) => s.close()));
  }

  http1Handler(options: ModeOption = {}): (request: http.IncomingMessage, response: http.ServerResponse) => void {
    const bidirectional = options.bidirectional ?? this.config.bidirectional ?? false;
    return createHttp1Listener(core.createEndpointHandler(this.optionsFor(bidirectional)));
  }

  http2Handler(options: ModeOption = {}): (request: http2.Http2ServerRequest, response: http2.Http2ServerResponse) => void {
    const bidirectional = options.bidirectional ?? this.config.bidirectional ?? true;
    return createHttp2RequestListener(core.createEndpointHandler(this.optionsFor(bidirectional)));
  }

  handler(options: ModeOption = {}): NodeHandler {
    const handlers = this.fetchHandlers(options);
    // `.fetch` keeps the core builder's meaning: request-response unless a mode was forced.
    return combinedListener(handlers, (options.bidirectional ?? this.config.bidirectional) ? handlers.http2 : handlers.http1);
  }
}

/** The official SDK's name for the Node endpoint builder's type. */
export type RestateEndpoint = NodeEndpoint;

/** A new endpoint builder: `endpoint().bind(svc).listen(9080)`. */
export function endpoint(): NodeEndpoint {
  return new NodeEndpointBuilder();
}

/**
 * A Node request listener for `http.createServer(…)` or `http2.createServer(…)` serving `options.services`; the mode
 * follows the HTTP version unless `bidirectional` forces one. Its `.fetch` is the request-response fetch handler
 * (bidirectional with `bidirectional: true`).
 */
export function createEndpointHandler(options: NodeEndpointOptions): NodeHandler {
  const handlers = handlersFor(options);
  return combinedListener(handlers, options.bidirectional ? handlers.http2 : handlers.http1);
}

/** One core fetch handler per HTTP version, following `options.bidirectional` (see NodeEndpointOptions). */
function handlersFor(options: NodeEndpointOptions): { http1: FetchHandler; http2: FetchHandler } {
  const { bidirectional, ...rest } = options;
  const make = (bidi: boolean) => core.createEndpointHandler({ ...rest, bidirectional: bidi });
  if (bidirectional !== undefined) {
    const only = make(bidirectional);
    return { http1: only, http2: only };
  }
  return { http1: make(false), http2: make(true) };
}

export interface ServeServicesOptions extends NodeEndpointOptions {
  /** Default: `$PORT`, else 9080. */
  port?: number;
  /** Default: all interfaces, like the official SDK. */
  hostname?: string | null;
}

/** Serves `options.services` on one port (h2c and HTTP/1.1); resolves with the bound port and the server. */
export async function serveServices(options: ServeServicesOptions): Promise<DualProtocolServer> {
  const { port, hostname, ...endpointOptions } = options;
  const handlers = handlersFor(endpointOptions);
  return listen({ fetchHandlers: () => handlers }, port ?? defaultPort(), { hostname: hostname === undefined ? null : hostname });
}
