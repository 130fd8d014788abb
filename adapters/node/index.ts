// `perdure/node`: the whole core API (so `import * as restate from "perdure/node"` reads like the official SDK's Node
// import) plus Node servers: `listen` (h2c and HTTP/1.1 on one port), `serve` (HTTP/1.1), `serveHttp2` (h2c), and
// the Node-flavoured `endpoint()` / `createEndpointHandler()`, which replace the core's fetch-only ones here.
export * from "../../src/index.js";

export { endpoint, createEndpointHandler, serveServices } from "./endpoint.js";
export type { NodeEndpoint, RestateEndpoint, NodeEndpointOptions, NodeHandler, NodeRequestListener, ModeOption, ListenExtras, ServeServicesOptions } from "./endpoint.js";
export { listen, detectHttpVersion, HTTP2_PREFACE } from "./listen.js";
export type { ListenOptions, DualProtocolServer, HandlerOrBuilder, PerVersionHandlers, DetectedVersion } from "./listen.js";
export { createHttp1Listener, serveHttp1 } from "./http1.js";
export { createHttp2StreamListener, createHttp2RequestListener, serveHttp2 } from "./http2.js";
export type { FetchHandlerLike, FetchFunction, RunningServer } from "./types.js";
// `ServeOptions` is the official root entry's name for serve({ services, port, … }); the options of serve(handler)
// (HTTP/1.1 server for a fetch handler) are `HttpServeOptions`.
export type { ServeOptions as HttpServeOptions } from "./types.js";
export type { ServeServicesOptions as ServeOptions } from "./endpoint.js";

import { serveServices, type ServeServicesOptions } from "./endpoint.js";
import { serveHttp1 } from "./http1.js";
import type { FetchHandlerLike, RunningServer, ServeOptions } from "./types.js";

/** Serves a fetch handler over HTTP/1.1 on `hostname:port` (default 127.0.0.1, free port). */
export function serve(handler: FetchHandlerLike, opts?: ServeOptions): Promise<RunningServer>;
/**
 * As in the official SDK: serves `options.services` (h2c and HTTP/1.1 on one port; default `$PORT`, else 9080, on all
 * interfaces) and resolves with the bound port.
 */
export function serve(options: ServeServicesOptions): Promise<number>;
export function serve(target: FetchHandlerLike | ServeServicesOptions, opts?: ServeOptions): Promise<RunningServer | number> {
  if (typeof target === "object" && "services" in target && Array.isArray(target.services)) {
    return serveServices(target).then((server) => server.port);
  }
  return serveHttp1(target as FetchHandlerLike, opts);
}
