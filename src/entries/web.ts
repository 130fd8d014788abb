// The root entry (`import * as restate from "perdure"`) on Workers and in browsers-like bundles (export conditions
// `workerd`, `worker`, `browser`, and the fallback `default`): the fetch core with no Node module, as small as
// `perdure/fetch`. `serve()` exists so that code written for the official root entry loads, but such a runtime
// cannot listen on a port: it says so and names what to use instead.
export * from "../index.js";
import type { FetchEndpointOptions } from "../endpoint/endpoint.js";

export interface ServeOptions extends FetchEndpointOptions {
  port?: number;
}

/** Not available here: a Worker does not listen, it exports a fetch handler. */
export function serve(_options: ServeOptions): Promise<number> {
  return Promise.reject(
    new Error(
      "restate.serve() needs a runtime that can listen on a port (Node, Bun, Deno). On Cloudflare Workers and other " +
        "fetch-only runtimes, export a fetch handler instead: `export default restate.endpoint().bind(myService).handler()` " +
        "(or `restate.createEndpointHandler({ services })`), from perdure, perdure/fetch or perdure/cloudflare.",
    ),
  );
}
