// Serve a perdure endpoint with `Bun.serve`. Bun speaks HTTP/1.1 only (no cleartext HTTP/2), but its HTTP/1.1 is
// full duplex: the response streams out while the request body is still coming in, which is what bidirectional
// mode needs. Register such a deployment with `use_http_11: true` (both modes).
//
// The endpoint's `{ fetch }` already fits `Bun.serve({ port, ...handler })`; this helper only adds defaults that
// matter for Restate (see `idleTimeout` below) and a small, typed handle.

/** Bun's `Bun.serve` surface used here, typed locally so the package needs no `@types/bun`. */
export interface BunServer {
  readonly port: number;
  readonly hostname: string;
  stop(closeActiveConnections?: boolean): Promise<void> | void;
}

export interface BunServeConfig {
  port?: number;
  hostname?: string;
  /** Seconds a connection may stay silent before Bun closes it; 0 disables. Bun's default is 10. */
  idleTimeout?: number;
  fetch(request: Request, server: BunServer): Response | Promise<Response>;
  error?(error: Error): Response | Promise<Response>;
}

export interface BunGlobal {
  serve(config: BunServeConfig): BunServer;
}

import { toFetchFunction, type EndpointBuilderLike } from "../shared/fetch-target.js";
import type { FetchFunction, FetchHandlerLike } from "../shared/types.js";
import { baseUrl, runningServer, type RunningServer, type ServeOptions as ListenAddress } from "../shared/running-server.js";

export { toFetchFunction, type EndpointBuilderLike, type FetchFunction, type FetchHandlerLike, type RunningServer };

export interface ServeOptions extends ListenAddress {
  /**
   * Only with an endpoint builder: calls `.bidirectional(value)` before `.handler()`. A handler that is already
   * built has its protocol mode fixed (it is announced in discovery), so passing this with one is an error.
   */
  bidirectional?: boolean;
  /**
   * Default 0 (never close a silent connection). Bun closes connections that are silent for 10 s by default, and
   * that cuts a bidirectional invocation waiting on a sleep, a call or an awakeable: restate-server keeps such a
   * stream open with no bytes flowing for up to its inactivity timeout (60 s by default, configurable per
   * service), then closes it itself and the endpoint suspends. restate-server also closes the pooled connections
   * it no longer needs, so the endpoint does not have to. Bun accepts 1..255 seconds or 0.
   */
  idleTimeout?: number;
}

/**
 * What `serve()` returns: the `RunningServer` of every perdure adapter (`port`, `url`, `close()`,
 * `[Symbol.asyncDispose]`) plus the underlying `Bun.serve` server.
 */
export interface BunRunningServer extends RunningServer {
  /** The underlying `Bun.serve` server. */
  server: BunServer;
  /** @deprecated Same as `close()` (the name before all adapters shared one shape); kept so existing code runs. */
  stop(): Promise<void>;
}

function bunGlobal(): BunGlobal {
  const bun = (globalThis as { Bun?: BunGlobal }).Bun;
  if (bun === undefined || typeof bun.serve !== "function") {
    throw new Error("perdure/bun: the Bun global is missing; this adapter runs on Bun only");
  }
  return bun;
}


/** Serves `target` with `Bun.serve` on `hostname:port` (default 127.0.0.1, free port). */
export function serve(target: FetchHandlerLike | EndpointBuilderLike, opts: ServeOptions = {}): BunRunningServer {
  const fetchFn = toFetchFunction(target, opts.bidirectional);
  const hostname = opts.hostname ?? "127.0.0.1";
  const server = bunGlobal().serve({
    port: opts.port ?? 0,
    hostname,
    idleTimeout: opts.idleTimeout ?? 0,
    // The Bun server object is passed on: handlers can reach it through `ctx.request().extraArgs`.
    fetch: (request, bunServer) => fetchFn(request, bunServer),
    // Plain text instead of Bun's HTML error page; the core itself answers protocol errors properly.
    error: (err) =>
      new Response(`Internal error: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}\n`, {
        status: 500,
        headers: { "content-type": "text/plain; charset=utf-8" },
      }),
  });
  const close = async () => {
    await server.stop(true);
  };
  return runningServer({ port: server.port, url: baseUrl(hostname, server.port), server, stop: close }, close);
}
