// The root entry (`import * as restate from "perdure"`) on Bun, selected by the `bun` export condition: the whole
// core API plus the official root entry's `serve`, `endpoint().listen()` and a `createEndpointHandler` usable with
// `http2.createServer`. Like the official SDK on Bun, `serve`/`listen` speak cleartext HTTP/2 (h2c, bidirectional)
// through Bun's `node:http2` server, so a deployment registers with restate-server's defaults. `Bun.serve` cannot
// (it has no h2c); perdure/bun's serve() remains for full-duplex HTTP/1.1. node:http2 is loaded only when a server
// is started, so importing this entry loads no Node module.
import { rootEntryFor, type ListenFn } from "../shared/root-entry.js";

export * from "../../src/index.js";
export type { ServeOptions, RestateEndpoint, DualHandler } from "../shared/root-entry.js";
export type { NodeEndpointOptions } from "../node/endpoint.js";

const listenH2c: ListenFn = async (fetch, port, hostname) => {
  const [http2, { createHttp2StreamListener }] = await Promise.all([import("node:http2"), import("../node/http2-listener.js")]);
  const server = http2.createServer();
  server.on("stream", createHttp2StreamListener(fetch));
  return new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    const onListening = () => {
      server.off("error", reject);
      const address = server.address();
      if (address === null || typeof address === "string") reject(new TypeError("serve() supports binding to a port only"));
      else resolve(address.port);
    };
    if (hostname === undefined) server.listen(port, onListening);
    else server.listen(port, hostname, onListening);
  });
};

const entry = rootEntryFor(listenH2c, () => (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env.PORT);

/** `restate.endpoint()`: the core builder plus `listen()` (h2c) and Node-compatible handlers. */
export const endpoint = entry.endpoint;
/** As the official SDK: serves `options.services` over h2c (bidirectional) and resolves with the bound port. */
export const serve = entry.serve;
/** A handler for `http.createServer`/`http2.createServer` that is also a fetch handler for `Bun.serve`. */
export const createEndpointHandler = entry.createEndpointHandler;
