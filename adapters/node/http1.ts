// Serve a fetch-style handler (Request → Response) on Node's `http` module (HTTP/1.1).
// Node-only code lives here so that `src/` stays web-standard.
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { createHttp1Listener } from "./http1-listener.js";
import { baseUrl, runningServer, type FetchHandlerLike, type RunningServer, type ServeOptions } from "./types.js";

export { createHttp1Listener };

/** Listens on `hostname:port` (default 127.0.0.1, free port) and serves `handler` over HTTP/1.1. */
export function serveHttp1(handler: FetchHandlerLike, opts: ServeOptions = {}): Promise<RunningServer> {
  const hostname = opts.hostname ?? "127.0.0.1";
  const server = http.createServer({ noDelay: true }, createHttp1Listener(handler));
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, hostname, () => {
      server.off("error", reject);
      const { port } = server.address() as AddressInfo;
      const close = () =>
        new Promise<void>((done, fail) => {
          server.close((err) => (err ? fail(err) : done()));
          // Keep-alive connections (restate-server reuses them) would otherwise hold close() open.
          server.closeAllConnections();
        });
      resolve(runningServer({ port, url: baseUrl(hostname, port) }, close));
    });
  });
}
