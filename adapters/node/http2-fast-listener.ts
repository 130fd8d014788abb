// The Node HTTP/2 listeners of perdure/node, with the bidirectional fast entry (src/endpoint/raw-bidi.ts): an
// invocation on a bidirectional core handler reads the stream's chunks straight into the frame decoder and writes
// frames straight onto the stream — no Request, ReadableStream or AbortSignal. Anything the fast entry does not
// cover (discovery, health, identity keys, journal value codecs, request-response, handlers that are not a core
// fetch handler) goes through the fetch path of http2-listener.ts. Bun's root entry keeps that plain listener.
import type * as http2 from "node:http2";
import type { Readable } from "node:stream";
import { rawBidiPrepareOf, type RawDuplex } from "../../src/endpoint/adapter-api.js";
import { HTTP2_HEADER_METHOD, HTTP2_HEADER_PATH, HTTP2_HEADER_STATUS, handleStream } from "./http2-listener.js";
import { toFetchFunction, type FetchHandlerLike } from "./types.js";

/** The header pairs (name, value, …) of a request, pseudo-headers included (the fast entry skips them). */
function headerPairs(headers: http2.IncomingHttpHeaders): string[] {
  const pairs: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) pairs.push(name, v);
    else pairs.push(name, String(value));
  }
  return pairs;
}

/**
 * A bidirectional invocation on the core's fast entry: the stream's chunks go straight into the frame decoder and
 * the frames straight onto the stream (no web streams); the peer resetting the stream abandons the attempt.
 */
function runDuplex(duplex: RawDuplex, stream: http2.ServerHttp2Stream, body: Readable): void {
  stream.on("error", () => {}); // resets by the peer surface through 'close'
  if (stream.destroyed) return;
  stream.respond({ [HTTP2_HEADER_STATUS]: 200, ...duplex.headers });
  let bodyEnded = false;
  const input = duplex.start({
    write: (frame) => {
      if (!stream.destroyed) stream.write(frame);
    },
    end: () => {
      if (!stream.destroyed) stream.end();
    },
  });
  body.on("data", (chunk: Buffer) => input.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
  body.on("end", () => {
    bodyEnded = true;
    input.end();
  });
  stream.on("close", () =>
    input.abort(
      bodyEnded
        ? "the response stream was closed by the peer"
        : "reading the request body failed: HTTP/2 stream closed before the request body ended",
    ),
  );
}

/** A 'stream' listener for an `http2.createServer()` that runs `handler` for every request. */
export function createHttp2StreamListener(handler: FetchHandlerLike) {
  const fetchFn = toFetchFunction(handler);
  const fast = rawBidiPrepareOf(handler);
  return (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => {
    const duplex = fast?.(String(headers[HTTP2_HEADER_METHOD] ?? "GET"), String(headers[HTTP2_HEADER_PATH] ?? "/"), headerPairs(headers));
    if (duplex) runDuplex(duplex, stream, stream);
    else handleStream(fetchFn, stream, headers, stream);
  };
}

/**
 * A 'request' listener for `http2.createServer(listener)` (the compatibility API): answers on the underlying stream,
 * reads the body through the compatibility request.
 */
export function createHttp2RequestListener(handler: FetchHandlerLike) {
  const fetchFn = toFetchFunction(handler);
  const fast = rawBidiPrepareOf(handler);
  return (request: http2.Http2ServerRequest, _response?: http2.Http2ServerResponse) => {
    const duplex = fast?.(request.method, request.url, headerPairs(request.headers));
    if (duplex) runDuplex(duplex, request.stream, request);
    else handleStream(fetchFn, request.stream, request.headers, request);
  };
}
