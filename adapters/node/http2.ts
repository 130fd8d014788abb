// Serve a fetch-style handler over cleartext HTTP/2 (h2c, prior knowledge), the transport restate-server uses by
// default. Each HTTP/2 stream is full duplex, which is what bidirectional mode needs: the response head and frames
// go out while the request body is still being read.
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { createHttp2RequestListener, createHttp2StreamListener } from "./http2-fast-listener.js";
import { baseUrl, runningServer, type FetchHandlerLike, type RunningServer, type ServeOptions } from "./types.js";

export { createHttp2RequestListener, createHttp2StreamListener };

/** Listens on `hostname:port` (default 127.0.0.1, free port) and serves `handler` over h2c. */
export function serveHttp2(handler: FetchHandlerLike, opts: ServeOptions = {}): Promise<RunningServer> {
  const hostname = opts.hostname ?? "127.0.0.1";
  const server = http2.createServer();
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on("session", (session) => {
    sessions.add(session);
    session.on("close", () => sessions.delete(session));
  });
  server.on("stream", createHttp2StreamListener(handler));
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, hostname, () => {
      server.off("error", reject);
      const { port } = server.address() as AddressInfo;
      const close = () =>
        new Promise<void>((done) => {
          // restate-server keeps HTTP/2 sessions open; close them so close() returns.
          for (const s of sessions) s.destroy();
          server.close(() => done());
        });
      resolve(runningServer({ port, url: baseUrl(hostname, port) }, close));
    });
  });
}
