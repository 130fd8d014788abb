// The root entry (`import * as restate from "perdure"`) on Deno, selected by the `deno` export condition: the whole
// core API plus the official root entry's `serve`, `endpoint().listen()` and a `createEndpointHandler` usable with
// `http2.createServer`. `serve`/`listen` use `Deno.serve`, which answers cleartext HTTP/2 (h2c, what the official
// SDK serves through node:http2 and what restate-server speaks by default) and HTTP/1.1 on one port, both full
// duplex, so the default bidirectional mode works over either. No Node module is loaded.
import { serve as denoServe } from "./index.js";
import { rootEntryFor, type ListenFn } from "../shared/root-entry.js";

export * from "../../src/index.js";
export type { ServeOptions, RestateEndpoint, DualHandler } from "../shared/root-entry.js";
export type { NodeEndpointOptions } from "../node/endpoint.js";

const listenDeno: ListenFn = async (fetch, port, hostname) => {
  // All interfaces by default, like the official SDK (Deno's own default is 0.0.0.0 too).
  return denoServe(fetch, { port, hostname: hostname ?? "0.0.0.0" }).port;
};

function readPort(): string | undefined {
  const deno = (globalThis as { Deno?: { env: { get(name: string): string | undefined } } }).Deno;
  return deno?.env.get("PORT");
}

const entry = rootEntryFor(listenDeno, readPort);

/** `restate.endpoint()`: the core builder plus `listen()` (Deno.serve) and Node-compatible handlers. */
export const endpoint = entry.endpoint;
/** As the official SDK: serves `options.services` (bidirectional, h2c and HTTP/1.1) and resolves with the bound port. */
export const serve = entry.serve;
/** A handler for `node:http`/`node:http2` servers that is also a fetch handler for `Deno.serve`. */
export const createEndpointHandler = entry.createEndpointHandler;
