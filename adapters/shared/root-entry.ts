// What the root entry (`import * as restate from "perdure"`) adds on a fetch runtime (Bun, Deno), so that code
// written for `@restatedev/restate-sdk`'s root entry runs there: `serve({ services, port })` and an `endpoint()`
// builder with `listen(port)`. The runtime decides how to listen (`ListenFn`); everything else is the core's.
import type * as http from "node:http";
import type * as http2 from "node:http2";
import * as core from "../../src/index.js";
import { createHttp1Listener } from "../node/http1-listener.js";
import { createHttp2RequestListener } from "../node/http2-listener.js";
import type { ModeOption, NodeHandler, NodeRequestListener } from "../node/endpoint.js";
import type { FetchFunction } from "./types.js";
import { EndpointBuilderBase, type EndpointBuilderMethods } from "../../src/endpoint/adapter-api.js";

/** Starts a server for `fetch` on `port` (0 = a free one) and resolves with the bound port. */
export type ListenFn = (fetch: FetchFunction, port: number, hostname: string | undefined) => Promise<number>;

/** Options of `serve()`, as the official `ServeOptions`: the endpoint options plus the port. */
export interface ServeOptions extends core.FetchEndpointOptions {
  /** Default: `$PORT`, else 9080. */
  port?: number;
  /** perdure extension. Default: all interfaces, as the official SDK. */
  hostname?: string;
}

/** The shared builder methods plus Node-compatible handlers and `listen()`, like the official root entry's `endpoint()`. */
export interface RestateEndpoint extends EndpointBuilderMethods<RestateEndpoint> {
  /**
   * A handler for this runtime's Node-compatible servers (`http.createServer`, `http2.createServer`) that is also a
   * fetch handler: `.fetch` (request-response unless `.bidirectional()`), and callable as `fetch(request)` itself.
   */
  handler(options?: ModeOption): DualHandler;
  /** For `http.createServer(…)`; request-response unless `bidirectional: true`. */
  http1Handler(options?: ModeOption): (request: http.IncomingMessage, response: http.ServerResponse) => void;
  /** For `http2.createServer(…)`; bidirectional unless `bidirectional: false`. */
  http2Handler(options?: ModeOption): (request: http2.Http2ServerRequest, response: http2.Http2ServerResponse) => void;
  /**
   * Serves the bound services, bidirectional unless `.bidirectional(false)` was called (the official `listen()`
   * serves HTTP/2 bidirectionally). Port: argument, else `$PORT`, else 9080. Resolves with the bound port.
   */
  listen(port?: number): Promise<number>;
}

/**
 * What `createEndpointHandler` returns on Bun and Deno: a Node request listener (as the official root entry returns,
 * for the runtime's `node:http`/`node:http2` servers) that is also a fetch function (`Deno.serve(handler)`,
 * `Bun.serve({ fetch: handler })`) and carries `.fetch`.
 */
export type DualHandler = NodeHandler & ((request: Request, ...extra: unknown[]) => Promise<Response>);

/**
 * One handler for both worlds: a `Request` goes to `fetchDefault`; a Node request goes to the bidirectional fetch
 * handler over HTTP/2 and the request-response one over HTTP/1.1 (unless one mode was forced).
 */
function dualHandler(forHttp1: FetchFunction, forHttp2: FetchFunction, fetchDefault: FetchFunction): DualHandler {
  const onHttp1 = createHttp1Listener(forHttp1);
  const onHttp2 = createHttp2RequestListener(forHttp2);
  const handler = (first: unknown, ...rest: unknown[]): unknown => {
    if (first instanceof Request) return fetchDefault(first, ...rest);
    const request = first as http.IncomingMessage | http2.Http2ServerRequest;
    if (request.httpVersionMajor >= 2) onHttp2(request as http2.Http2ServerRequest);
    else onHttp1(request as http.IncomingMessage, rest[0] as http.ServerResponse);
    return undefined;
  };
  return Object.assign(handler as NodeRequestListener & ((request: Request, ...extra: unknown[]) => Promise<Response>), {
    fetch: (request: Request, ...extra: unknown[]) => fetchDefault(request, ...extra),
  }) as DualHandler;
}

/** `$PORT` if set (and readable on this runtime), else 9080. */
export function portFromEnvironment(readEnv: () => string | undefined): number {
  let fromEnv: string | undefined;
  try {
    fromEnv = readEnv();
  } catch {
    fromEnv = undefined; // e.g. Deno without --allow-env
  }
  if (fromEnv === undefined || fromEnv === "") return 9080;
  const port = Number(fromEnv);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`PORT='${fromEnv}' is not a port number`);
  return port;
}

/** The root entry's builder on a fetch runtime: the mode follows the HTTP version unless `.bidirectional()` forced one. */
class RootEndpointBuilder extends EndpointBuilderBase implements RestateEndpoint {
  constructor(
    private readonly listenOn: ListenFn,
    private readonly readEnv: () => string | undefined,
  ) {
    super();
  }

  /** The fetch handler for `mode` (else the forced mode, else `fallback`). */
  private fetchFor(mode: boolean | undefined, fallback: boolean): FetchFunction {
    return core.createEndpointHandler(this.optionsFor(mode ?? this.config.bidirectional ?? fallback));
  }

  handler(options: ModeOption = {}): DualHandler {
    const forced = options.bidirectional ?? this.config.bidirectional;
    const http1 = this.fetchFor(forced, false);
    const http2 = forced === undefined ? this.fetchFor(forced, true) : http1;
    return dualHandler(http1, http2, forced ? http2 : http1);
  }

  http1Handler(options: ModeOption = {}): (request: http.IncomingMessage, response: http.ServerResponse) => void {
    return createHttp1Listener(this.fetchFor(options.bidirectional, false));
  }

  http2Handler(options: ModeOption = {}): (request: http2.Http2ServerRequest, response: http2.Http2ServerResponse) => void {
    return createHttp2RequestListener(this.fetchFor(options.bidirectional, true));
  }

  /** Like the official listen(): bidirectional unless the builder said otherwise. */
  listen(port?: number): Promise<number> {
    return this.listenOn(this.fetchFor(undefined, true), port ?? portFromEnvironment(this.readEnv), undefined);
  }
}

/** The root entry's `endpoint`, `serve` and `createEndpointHandler` for a runtime that listens with `listenOn`. */
export function rootEntryFor(listenOn: ListenFn, readEnv: () => string | undefined) {
  function endpoint(): RestateEndpoint {
    return new RootEndpointBuilder(listenOn, readEnv);
  }

  /** As the official `serve`: serves `options.services` (bidirectional unless `bidirectional: false`) on `port`. */
  function serve(options: ServeOptions): Promise<number> {
    if (!options || typeof options !== "object") return Promise.reject(new TypeError("serve() needs options: { services: [myService], port }"));
    const { port, hostname, bidirectional, ...endpointOptions } = options;
    let fetch: FetchFunction;
    try {
      fetch = core.createEndpointHandler({ ...endpointOptions, bidirectional: bidirectional ?? true });
    } catch (err) {
      return Promise.reject(err);
    }
    return listenOn(fetch, port ?? portFromEnvironment(readEnv), hostname);
  }

  /** As the official root entry: a Node request listener (mode per HTTP version), here also a fetch handler. */
  function createEndpointHandler(options: core.FetchEndpointOptions): DualHandler {
    const { bidirectional, ...rest } = options ?? ({} as core.FetchEndpointOptions);
    const make = (bidi: boolean) => core.createEndpointHandler({ ...rest, bidirectional: bidi });
    if (bidirectional !== undefined) {
      const only = make(bidirectional);
      return dualHandler(only, only, only);
    }
    const rr = make(false);
    return dualHandler(rr, make(true), rr);
  }

  return { endpoint, serve, createEndpointHandler };
}
