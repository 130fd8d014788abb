// Node HTTP/2 listeners (the 'stream' event, or the compatibility API's request listener) that run a fetch-style
// handler. Each HTTP/2 stream is full duplex, which is what bidirectional mode needs. Only types come from Node
// here, so runtimes with a Node-compatible http2 server (Bun, Deno) can use it without importing Node modules.
import type * as http2 from "node:http2";
import type { Readable } from "node:stream";
import { webBodyStream } from "./body.js";
import { toFetchFunction, type FetchFunction, type FetchHandlerLike } from "./types.js";

// http2.constants, spelled out: this module must not load node:http2 at run time.
export const HTTP2_HEADER_METHOD = ":method";
export const HTTP2_HEADER_PATH = ":path";
const HTTP2_HEADER_AUTHORITY = ":authority";
export const HTTP2_HEADER_STATUS = ":status";

function toRequest(headers: http2.IncomingHttpHeaders, body: Readable, signal: AbortSignal): Request {
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
    init.body = webBodyStream(body, "HTTP/2 stream closed before the request body ended");
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

/**
 * Runs `fetchFn` for one HTTP/2 stream. `body` is where the request body is read from: the stream itself, or the
 * compatibility-API request that already listens to it (reading the stream beside it would stall at its buffer limit).
 */
export function handleStream(fetchFn: FetchFunction, stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, body: Readable): void {
  stream.on("error", () => {}); // resets by the peer surface through the body stream and 'close'
  const aborter = new AbortController();
  stream.on("close", () => aborter.abort(new Error("HTTP/2 stream closed")));
  (async () => {
    let response: Response;
    try {
      response = await fetchFn(toRequest(headers, body, aborter.signal));
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
}

/** A 'stream' listener for an `http2.createServer()` that runs `handler` for every request. */
export function createHttp2StreamListener(handler: FetchHandlerLike) {
  const fetchFn = toFetchFunction(handler);
  return (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => handleStream(fetchFn, stream, headers, stream);
}

/**
 * A 'request' listener for `http2.createServer(listener)` (the compatibility API): answers on the underlying stream,
 * reads the body through the compatibility request.
 */
export function createHttp2RequestListener(handler: FetchHandlerLike) {
  const fetchFn = toFetchFunction(handler);
  return (request: http2.Http2ServerRequest, _response?: http2.Http2ServerResponse) =>
    handleStream(fetchFn, request.stream, request.headers, request);
}
