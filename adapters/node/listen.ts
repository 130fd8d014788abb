// One port for both HTTP versions restate-server speaks: cleartext HTTP/2 with prior knowledge (h2c) and HTTP/1.1.
// The version is decided per connection from its first bytes: an h2c client opens with the fixed 24-byte preface,
// an HTTP/1.1 client with a request line. The peeked bytes are put back and the socket is handed to an internal
// `http2` or `http` server (neither listens itself), so each parses the connection from its first byte.
import * as http from "node:http";
import * as http2 from "node:http2";
import * as net from "node:net";
import { createHttp1Listener } from "./http1.js";
import { createHttp2StreamListener } from "./http2.js";
import { baseUrl, runningServer, toFetchFunction, type FetchHandlerLike, type RunningServer } from "./types.js";

/** The client connection preface of HTTP/2 (RFC 9113 §3.4). */
export const HTTP2_PREFACE = new TextEncoder().encode("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

export type DetectedVersion = "h2c" | "http/1.1";

/**
 * Decides from the first bytes of a connection: `h2c` once all 24 preface bytes are there, `http/1.1` as soon as a
 * byte differs from the preface, `undefined` while what arrived is still a proper prefix of it.
 */
export function detectHttpVersion(bytes: Uint8Array): DetectedVersion | undefined {
  const n = Math.min(bytes.length, HTTP2_PREFACE.length);
  for (let i = 0; i < n; i++) if (bytes[i] !== HTTP2_PREFACE[i]) return "http/1.1";
  return bytes.length >= HTTP2_PREFACE.length ? "h2c" : undefined;
}

export interface ListenOptions {
  /** Default 127.0.0.1: loopback only unless asked otherwise. `null`: all interfaces, as Node's own default. */
  hostname?: string | null;
  /** How long a new connection may take to send enough bytes to tell its version. Default 10 s, then it is closed. */
  detectTimeoutMs?: number;
  /** The fetch handler for HTTP/2 connections, when it should differ from the one for HTTP/1.1 (e.g. bidirectional). */
  http2Handler?: FetchHandlerLike;
  /** Called once per connection when its version is known, with how many reads it took (for logs and tests). */
  onDetected?: (version: DetectedVersion, reads: number) => void;
}

/** A running `listen()` server: both versions on `port`. */
export interface DualProtocolServer extends RunningServer {
  /** Connections currently open (decided or not); for tests and metrics. */
  openConnections(): number;
}

/** A fetch handler per HTTP version, as `perdure/node`'s endpoint builder offers them. */
export interface PerVersionHandlers {
  http1: FetchHandlerLike;
  http2: FetchHandlerLike;
}

/**
 * Something `listen()` can serve: a fetch handler, or an endpoint builder (`handler()` returning `{ fetch }`), or one
 * that offers a handler per HTTP version (`fetchHandlers()`).
 */
export type HandlerOrBuilder = FetchHandlerLike | { handler(): FetchHandlerLike } | { fetchHandlers(): PerVersionHandlers };

function handlersOf(value: HandlerOrBuilder, http2Override: FetchHandlerLike | undefined): PerVersionHandlers {
  let handlers: PerVersionHandlers;
  if (typeof value === "function" || ("fetch" in value && typeof value.fetch === "function")) {
    const fetch = toFetchFunction(value as FetchHandlerLike); // also right for a Node listener carrying `.fetch`
    handlers = { http1: fetch, http2: fetch };
  } else if ("fetchHandlers" in value && typeof value.fetchHandlers === "function") {
    handlers = value.fetchHandlers();
  } else if ("handler" in value && typeof value.handler === "function") {
    const handler = value.handler();
    handlers = { http1: handler, http2: handler };
  } else {
    throw new TypeError("listen() needs a fetch handler, an object with fetch(), or an endpoint builder");
  }
  return http2Override ? { ...handlers, http2: http2Override } : handlers;
}

/**
 * Listens on `hostname:port` (default 127.0.0.1, port 0 = a free one) and serves `handlerOrBuilder` over h2c and
 * HTTP/1.1 alike, detected per connection. Register the URL with `use_http_11: false` for h2c or `true` for
 * HTTP/1.1; on Node both carry bidirectional mode (full duplex), request-response works over either.
 */
export function listen(handlerOrBuilder: HandlerOrBuilder, port = 0, opts: ListenOptions = {}): Promise<DualProtocolServer> {
  const hostname = opts.hostname === undefined ? "127.0.0.1" : opts.hostname;
  const detectTimeoutMs = opts.detectTimeoutMs ?? 10_000;
  const handlers = handlersOf(handlerOrBuilder, opts.http2Handler);

  const http1Server = http.createServer({ noDelay: true }, createHttp1Listener(handlers.http1));
  const http2Server = http2.createServer();
  http2Server.on("stream", createHttp2StreamListener(handlers.http2));
  const sessions = new Set<http2.ServerHttp2Session>();
  http2Server.on("session", (session) => {
    sessions.add(session);
    session.on("close", () => sessions.delete(session));
  });
  // Without a listener, a session error (a peer speaking nonsense after the preface) would be an uncaught exception.
  http2Server.on("sessionError", () => {});

  const sockets = new Set<net.Socket>();
  // allowHalfOpen as in `http.createServer`: the HTTP/1.1 server decides itself what a client's FIN means.
  const outer = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    handOver(socket);
  });

  function handOver(socket: net.Socket): void {
    const chunks: Buffer[] = [];
    let received = 0;
    let reads = 0;
    const timer = setTimeout(() => socket.destroy(), detectTimeoutMs);
    const stopWaiting = () => {
      clearTimeout(timer);
      socket.off("data", onData);
      socket.off("end", onGone);
      socket.off("error", onGone);
    };
    function onGone() {
      // Closed (or failed) before it said which version it speaks: nothing to serve.
      stopWaiting();
      socket.destroy();
    }
    function onData(chunk: Buffer) {
      chunks.push(chunk);
      received += chunk.length;
      reads++;
      const peeked = chunks.length === 1 ? chunk : Buffer.concat(chunks, received);
      const version = detectHttpVersion(peeked);
      if (version === undefined) return;
      stopWaiting();
      socket.pause();
      socket.unshift(peeked);
      if (version === "h2c") {
        // The HTTP/2 session reads what is buffered on the socket itself before taking over its handle.
        http2Server.emit("connection", socket);
      } else {
        http1Server.emit("connection", socket);
        socket.resume();
      }
      opts.onDetected?.(version, reads);
    }
    socket.on("data", onData);
    socket.on("end", onGone);
    socket.on("error", onGone);
  }

  let closing: Promise<void> | undefined;
  async function closeAll(): Promise<void> {
    const stopped = new Promise<void>((done, fail) => outer.close((err) => (err ? fail(err) : done())));
    // restate-server keeps connections (HTTP/1.1 keep-alive, HTTP/2 sessions) open: end them all, and wait until
    // each one has really closed.
    const closed = [...sockets].map((socket) => new Promise<void>((done) => socket.once("close", () => done())));
    for (const session of sessions) session.destroy();
    for (const socket of sockets) socket.destroy();
    await Promise.all([stopped, ...closed]);
  }

  return new Promise((resolve, reject) => {
    outer.once("error", reject);
    const onListening = () => {
      outer.off("error", reject);
      const bound = (outer.address() as net.AddressInfo).port;
      const fields = { port: bound, url: baseUrl(hostname ?? "localhost", bound), openConnections: () => sockets.size };
      resolve(runningServer(fields, () => (closing ??= closeAll())));
    };
    if (hostname === null) outer.listen(port, onListening);
    else outer.listen(port, hostname, onListening);
  });
}
