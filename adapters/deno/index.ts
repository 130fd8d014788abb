// Serve a perdure endpoint with `Deno.serve`. Deno answers both HTTP/1.1 and cleartext HTTP/2 (h2c with prior
// knowledge, which is what restate-server speaks by default) on the same port, and both are full duplex. So a
// Deno endpoint can be registered either way: `use_http_11: false` (h2c, the default; needed for bidirectional
// mode over HTTP/2) or `use_http_11: true`.

/** Deno's `Deno.serve` surface used here, typed locally so the package needs no Deno type declarations. */
export interface DenoNetAddr {
  hostname: string;
  port: number;
  transport: string;
}

export interface DenoServeHandlerInfo {
  remoteAddr: DenoNetAddr;
  completed: Promise<void>;
}

export interface DenoHttpServer {
  readonly addr: DenoNetAddr;
  readonly finished: Promise<void>;
  shutdown(): Promise<void>;
}

export interface DenoServeConfig {
  port?: number;
  hostname?: string;
  onListen?(addr: DenoNetAddr): void;
  onError?(error: unknown): Response | Promise<Response>;
}

export interface DenoGlobal {
  serve(config: DenoServeConfig, handler: (request: Request, info: DenoServeHandlerInfo) => Response | Promise<Response>): DenoHttpServer;
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
}

/**
 * What `serve()` returns: the `RunningServer` of every perdure adapter (`port`, `url`, `close()`,
 * `[Symbol.asyncDispose]`) plus the underlying `Deno.serve` server.
 */
export interface DenoRunningServer extends RunningServer {
  /** The underlying `Deno.serve` server. */
  server: DenoHttpServer;
  /** @deprecated Same as `close()` (the name before all adapters shared one shape); kept so existing code runs. */
  stop(): Promise<void>;
}

function denoGlobal(): DenoGlobal {
  const deno = (globalThis as { Deno?: DenoGlobal }).Deno;
  if (deno === undefined || typeof deno.serve !== "function") {
    throw new Error("perdure/deno: the Deno global is missing; this adapter runs on Deno only");
  }
  return deno;
}


/** Serves `target` with `Deno.serve` on `hostname:port` (default 127.0.0.1, free port). */
export function serve(target: FetchHandlerLike | EndpointBuilderLike, opts: ServeOptions = {}): DenoRunningServer {
  const fetchFn = toFetchFunction(target, opts.bidirectional);
  const hostname = opts.hostname ?? "127.0.0.1";
  const server = denoGlobal().serve(
    {
      port: opts.port ?? 0,
      hostname,
      // Deno prints "Listening on …" by default; the caller gets `url` instead and decides what to print.
      onListen: () => {},
      onError: (err) =>
        new Response(`Internal error: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}\n`, {
          status: 500,
          headers: { "content-type": "text/plain; charset=utf-8" },
        }),
    },
    // Deno's connection info is passed on: handlers can reach it through `ctx.request().extraArgs`.
    (request, info) => fetchFn(request, info),
  );
  const { port } = server.addr;
  const close = () => server.shutdown();
  return runningServer({ port, url: baseUrl(hostname, port), server, stop: close }, close);
}
