// Serve a fetch-style handler over cleartext HTTP/2 (h2c, prior knowledge), the transport restate-server uses by
// default. Each HTTP/2 stream is full duplex, which is what bidirectional mode needs: the response head and frames
// go out while the request body is still being read.
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { webBodyStream } from "./body.js";
import type { FetchHandlerLike, RunningServer, ServeOptions } from "./index.js";

// `any[]` so that handlers with typed extra parameters (a Hono app's fetch(request, env, ctx)) fit.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type FetchFunction = (request: Request, ...extra: any[]) => Promise<Response> | Response;

const { HTTP2_HEADER_METHOD, HTTP2_HEADER_PATH, HTTP2_HEADER_AUTHORITY, HTTP2_HEADER_STATUS } = http2.constants;

function toRequest(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, signal: AbortSignal): Request {
  const method = String(headers[HTTP2_HEADER_METHOD] ?? "GET");
  const authority = String(headers[HTTP2_HEADER_AUTHORITY] ?? "localhost");
  const url = new URL(String(headers[HTTP2_HEADER_PATH] ?? "/"), `http://${authority}`);
  const out = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(":") || value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) out.append(name, v);
    else out.append(name, String(value));
  }
  const init: RequestInit & { duplex?: "half" } = { method, headers: out, signal };
  if (method !== "GET" && method !== "HEAD") {
    init.body = webBodyStream(stream, "HTTP/2 stream closed before the request body ended");
    init.duplex = "half";
  }
  return new Request(url, init);
}

async function respond(stream: http2.ServerHttp2Stream, response: Response): Promise<void> {
  const head: http2.OutgoingHttpHeaders = { [HTTP2_HEADER_STATUS]: response.status };
  response.headers.forEach((value, name) => {
    head[name] = value;
  });
  if (stream.destroyed) return;
  stream.respond(head, { endStream: response.body === null });
  if (response.body === null) return;
  const reader = response.body.getReader();
  stream.on("close", () => reader.cancel(new Error("HTTP/2 stream closed")).catch(() => {}));
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (stream.destroyed) return;
    if (!stream.write(value)) await new Promise<void>((r) => (stream.once("drain", r), stream.once("close", r)));
  }
  if (!stream.destroyed) stream.end();
}

/** A 'stream' listener for an `http2.createServer()` that runs `handler` for every request. */
export function createHttp2StreamListener(handler: FetchHandlerLike) {
  const fetchFn: FetchFunction = typeof handler === "function" ? handler : (r, ...extra) => handler.fetch(r, ...extra);
  return (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => {
    stream.on("error", () => {}); // resets by the peer surface through the body stream and 'close'
    const aborter = new AbortController();
    stream.on("close", () => aborter.abort(new Error("HTTP/2 stream closed")));
    (async () => {
      let response: Response;
      try {
        response = await fetchFn(toRequest(stream, headers, aborter.signal));
      } catch (err) {
        if (stream.headersSent || stream.destroyed) return;
        stream.respond({ [HTTP2_HEADER_STATUS]: 500, "content-type": "text/plain; charset=utf-8" });
        stream.end(`Internal error: ${err instanceof Error ? err.message : String(err)}\n`);
        return;
      }
      await respond(stream, response);
    })().catch((err: unknown) => {
      if (!stream.destroyed) stream.destroy(err instanceof Error ? err : new Error(String(err)));
    });
  };
}

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
      const urlHost = hostname.includes(":") ? `[${hostname}]` : hostname;
      resolve({
        port,
        url: `http://${urlHost}:${port}`,
        close: () =>
          new Promise<void>((done) => {
            // restate-server keeps HTTP/2 sessions open; close them so close() returns.
            for (const s of sessions) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
